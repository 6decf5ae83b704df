package io.hogwild.engine.tensor;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code x @ W^T} for {@value #MIN_ROWS} to {@value #MAX_ROWS} float32 rows on the CPU at memory speed, with the C
 * kernel the launcher builds (scripts/rows-kernel/rows_kernel.c, found through {@value #ENV}).
 *
 * <p>A decode pass of several workers, or of several sessions batched, projects that many rows through every weight.
 * libtorch gives such a product to MKL's SGEMM, which copies the whole weight into its own layout first and so runs
 * at about half the memory speed from 4 rows on; the kernel reads the weight once, as stored. Fewer rows go to MKL's
 * matrix-vector path, which is as fast; more rows (prefill) to its SGEMM, where the copy is paid back. Without the
 * library (no C compiler, another launcher, {@code HOGWILD_ROWS_KERNEL=off}) every product stays with libtorch.
 */
public final class RowsKernel {

    /** The file name of the launcher's library. */
    public static final String LIBRARY = "libhogwild-rows-kernel.so";
    /** The environment variable naming the library's path, set by the launcher for every JVM it starts. */
    public static final String ENV = "HOGWILD_ROWS_KERNEL";
    public static final int MIN_ROWS = 4;
    public static final int MAX_ROWS = 8;

    private static final boolean LOADED = load();

    private RowsKernel() {}

    /** True when the library is loaded in this process. */
    public static boolean loaded() {
        return LOADED;
    }

    /** {@code "rows-kernel"} or {@code "libtorch"}: what projects a few rows here, as the bench reports it. */
    public static String name() {
        return LOADED ? "rows-kernel" : "libtorch";
    }

    /** True when {@link #project} takes {@code rows} rows against a weight of {@code dtype} on {@code device}. */
    public static boolean applies(long rows, DataType dtype, Device device) {
        return LOADED && rows >= MIN_ROWS && rows <= MAX_ROWS && dtype == DataType.FLOAT32
                && Device.Type.CPU.equals(device.getDeviceType());
    }

    /**
     * The weight's storage for {@link #project}, or {@code null} where the kernel cannot read it. Its buffer is valid
     * while the weight lives; a weight that is a strided view is read through a contiguous copy DJL keeps beside it.
     */
    public static ByteBuffer storageOf(NDArray weight) {
        if (!LOADED || weight.getDataType() != DataType.FLOAT32
                || !Device.Type.CPU.equals(weight.getDevice().getDeviceType())) {
            return null;
        }
        return JniUtils.getByteBuffer((PtNDArray) weight, true);
    }

    /**
     * {@code x @ W^T}, {@code [rows, out]} in {@code scope}, for {@code x [rows, in]} (any strides) and the weight
     * {@code [out, in]} given by its storage; {@code null} when the kernel declines (then nothing was written).
     */
    public static NDArray project(NDArray x, ByteBuffer weight, long out, NDManager scope) {
        Shape shape = x.getShape();
        long rows = shape.get(0);
        long in = shape.get(1);
        if (weight.capacity() != out * in * Float.BYTES) {
            return null;
        }
        NDArray y = scope.create(new Shape(rows, out), DataType.FLOAT32);
        ByteBuffer input = JniUtils.getByteBuffer((PtNDArray) x, true);
        ByteBuffer output = JniUtils.getByteBuffer((PtNDArray) y, true);
        if (!project(input, weight, output, (int) rows, (int) in, (int) out, JniUtils.getNumThreads())) {
            y.close();
            return null;
        }
        return y;
    }

    /** Runs on libtorch's intra-op threads, {@code threads} of them; false when it declines. */
    private static native boolean project(ByteBuffer x, ByteBuffer weight, ByteBuffer y, int rows, int in, int out,
                                          int threads);

    private static boolean load() {
        String path = System.getenv(ENV);
        if (path == null || path.isBlank() || "off".equals(path) || !Files.isRegularFile(Path.of(path))) {
            return false;
        }
        try {
            System.load(Path.of(path).toAbsolutePath().toString());
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false; // built for another machine or JDK: libtorch does the products
        }
    }
}
