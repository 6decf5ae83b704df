package io.hogwild.engine.tensor;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op threads on the CPU, fitted to the model a process serves. A matrix product of a small model
 * (the demo model, the bench's tiny shapes) takes less time than handing half of it to a second thread and waiting for
 * it: on this project's 2-core machine the demo model's passes ran twice as fast on one thread as on two
 * ({@code ./hogwild demo-model batching}: 12 sessions one after another 1.0-1.4 s against 2.6-2.7 s), while a real
 * model's projections need both cores to read their weights at memory speed. So a model under
 * {@link #SMALL_MODEL_BYTES} of weights gets one thread and any other libtorch's default; a thread count set with
 * {@code -Dai.djl.pytorch.num_threads} is left as it is.
 */
public final class CpuThreads {

    /** Models with fewer weight bytes than this run their CPU operators on one thread. */
    public static final long SMALL_MODEL_BYTES = 64L << 20;

    /** libtorch's own choice, read before this class first changes it. */
    private static int defaultThreads = -1;

    private CpuThreads() {}

    /** libtorch's intra-op thread count as it was before this class changed it. */
    public static synchronized int libtorchDefault() {
        if (defaultThreads < 0) {
            defaultThreads = JniUtils.getNumThreads();
        }
        return defaultThreads;
    }

    /** Sets the intra-op threads for a model of {@code weightBytes} on {@code device}. */
    public static synchronized void fitTo(long weightBytes, Device device) {
        boolean setByUser = System.getProperty("ai.djl.pytorch.num_threads") != null;
        if (!Device.Type.CPU.equals(device.getDeviceType()) || setByUser) {
            return;
        }
        int byDefault = libtorchDefault(); // read before the first change
        int threads = weightBytes < SMALL_MODEL_BYTES ? 1 : byDefault;
        if (JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }
}
