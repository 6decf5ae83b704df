package io.hogwild.engine.attention;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.hogwild.engine.tensor.RowsKernel;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One layer of {@link SharedAttention} for a pass of a few rows in one native call (scripts/rows-kernel/
 * rows_attention.c, in the launcher's rows-kernel library): the new keys and values stored, every query scored against
 * the read columns with its block's rotation, masked, softmaxed and weighed with the values.
 *
 * <p>For a small model a session's attention is a dozen libtorch operators per layer, each costing more to dispatch
 * than to compute, and a joint pass of many sessions pays them per session; here what is left is reading the session's
 * cache. It applies where those operators would run on one CPU thread in float32 (small models: {@code CpuThreads})
 * and to passes of at most {@value #MAX_ROWS} rows (decode, step headers, the policy's inserts: a demo-model pass of
 * 2 rows took 1.8 ms against 2.4, of 30 rows 7.8 against 9.4, of 64 rows 21 against 40; at 128 rows libtorch's matrix
 * products were as fast, so prefill chunks stay with them). Whether it applies depends on the session's own pass only,
 * so a session computes the same alone or batched.
 */
final class AttentionKernel {

    static final int MAX_ROWS = 64;

    /** Layers attended here since the process started (tests check that the kernel, not libtorch, ran). */
    private static final AtomicLong CALLS = new AtomicLong();
    /** False once the library turned out to lack the function (built from older sources by another launcher). */
    private static volatile boolean linked = true;

    private AttentionKernel() {}

    /** True when a pass of {@code rows} rows over a cache of {@code dtype} on {@code device} goes to the kernel. */
    static boolean applies(int rows, DataType dtype, Device device) {
        return linked && RowsKernel.loaded() && rows <= MAX_ROWS && dtype == DataType.FLOAT32
                && Device.Type.CPU.equals(device.getDeviceType()) && JniUtils.getNumThreads() == 1;
    }

    /** A float32 array's memory (for a strided view, that of a contiguous copy its manager keeps). */
    private static ByteBuffer memory(NDArray array) {
        return JniUtils.getByteBuffer((PtNDArray) array, true);
    }

    /**
     * One layer of {@code pass}: its new keys and values stored in the layer's cache, and the attention output
     * {@code [kv, group * rows, d]} in {@code scope}; {@code null} when the kernel declines (then nothing was written).
     * {@code rotated} and {@code values} are what {@link SharedAttention.Pass#attendRotated} takes; see
     * rows_attention.c for the layouts.
     */
    static NDArray attend(SharedAttention.Pass pass, int layer, NDArray rotated, int rotatedSlots, NDArray values,
                          NDManager scope) {
        // The layer's views of the cache are contiguous: their memory is the cache's own, written in place.
        NDArray keys = pass.plan.keys(layer);
        int capacity = Math.toIntExact(keys.getShape().get(2));
        NDArray out = scope.create(new Shape(pass.kvHeads, (long) pass.group * pass.rows, pass.headDim),
                DataType.FLOAT32);
        boolean done;
        try {
            done = attend(memory(rotated), memory(values), memory(keys), memory(pass.plan.values(layer)), memory(out),
                    pass.maskHost(), pass.slotOfColumn(), pass.keySlots(), pass.plan.newColumns(), pass.kvHeads,
                    pass.group, pass.rows, pass.headDim, capacity, pass.plan.alignedEnd(), pass.plan.readEnd(),
                    rotatedSlots);
        } catch (UnsatisfiedLinkError e) {
            linked = false;
            done = false;
        }
        if (!done) {
            out.close();
            return null;
        }
        CALLS.incrementAndGet();
        return out;
    }

    static long calls() {
        return CALLS.get();
    }

    private static native boolean attend(ByteBuffer rotated, ByteBuffer values, ByteBuffer keys,
                                         ByteBuffer cacheValues, ByteBuffer out, float[] mask, int[] slotOfColumn,
                                         int[] keySlot, long[] newColumn, int kv, int group, int rows, int d,
                                         int capacity, int alignedEnd, int readEnd, int slots);
}
