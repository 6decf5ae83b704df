package io.hogwild.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What this machine's libtorch can read per second, measured in the bench's own process so that a step's
 * bytes over its time can be compared with it: a plain reduction over a large array (the memory read rate), and
 * one matrix-vector product over a matrix as large as the model's weights (what a decode projection can reach).
 *
 * @param readBytesPerSecond bytes a reduction over {@link #READ_BYTES} reads per second
 * @param gemvBytesPerSecond matrix bytes one matrix-vector product reads per second
 * @param gemvMatrixBytes size of the matrix that rate was measured on
 */
record MachineRates(double readBytesPerSecond, double gemvBytesPerSecond, long gemvMatrixBytes) {

    /** The reduction's array: 2 GiB of float32, far larger than any cache. */
    static final long READ_BYTES = 2L << 30;
    private static final int REPEATS = 3;
    /** Width of the matrix-vector product's matrix: a hidden size of a real model. */
    private static final long GEMV_COLUMNS = 2048;

    static MachineRates measure(Device device, DataType dtype, long weightBytes) {
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            double read;
            try (NDArray big = m.ones(new Shape(READ_BYTES / 4), DataType.FLOAT32)) {
                read = READ_BYTES / best(() -> big.sum().getFloat());
            }
            long rows = Math.max(1, weightBytes / (GEMV_COLUMNS * dtype.getNumOfBytes()));
            double gemv;
            try (NDArray matrix = m.ones(new Shape(rows, GEMV_COLUMNS), dtype);
                 NDArray vector = m.ones(new Shape(GEMV_COLUMNS, 1), dtype)) {
                gemv = rows * GEMV_COLUMNS * dtype.getNumOfBytes() / best(() -> {
                    try (NDArray y = matrix.matMul(vector)) {
                        y.getFloat(0, 0);
                    }
                });
            }
            return new MachineRates(read, gemv, rows * GEMV_COLUMNS * dtype.getNumOfBytes());
        }
    }

    /** Seconds of the fastest of a few runs, after one untimed run (first touch, allocator warm-up). */
    private static double best(Runnable run) {
        run.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            run.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e9;
    }
}
