package io.hogwild.engine.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.hogwild.engine.model.Projection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Run by {@link RowsKernelTest} in a JVM started with the kernel library: projects random rows through weights of
 * awkward shapes with the kernel and with libtorch, on one and on two threads and from two threads at once, and
 * prints the largest difference relative to the result's scale, or what went wrong.
 */
public final class RowsKernelProbe {

    private static final long[][] SHAPES = {{1001, 1025}, {4099, 3072}, {64, 37}, {3, 50}, {2, 16}};

    private RowsKernelProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("loaded " + RowsKernel.loaded());
        double worst = 0;
        int projected = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            for (int threads : new int[] {2, 1}) {
                JniUtils.setNumThreads(threads);
                for (long[] shape : SHAPES) {
                    NDArray w = manager.randomNormal(new Shape(shape[0], shape[1]));
                    Projection p = new Projection(w, w.transpose());
                    for (int rows = RowsKernel.MIN_ROWS; rows <= RowsKernel.MAX_ROWS; rows++) {
                        NDArray x = manager.randomNormal(new Shape(rows, shape[1]));
                        worst = Math.max(worst, compare(p, x, manager));
                        projected++;
                    }
                }
            }
            JniUtils.setNumThreads(2);
            // Two callers at once: each gets its own, right result.
            NDArray w = manager.randomNormal(new Shape(2048, 1025));
            Projection p = new Projection(w, w.transpose());
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Double>> errors = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                int rows = 5 + c;
                errors.add(pool.submit(() -> {
                    double e = 0;
                    try (NDManager mine = manager.newSubManager()) {
                        for (int i = 0; i < 200; i++) {
                            e = Math.max(e, compare(p, mine.randomNormal(new Shape(rows, 1025)), mine));
                        }
                    }
                    return e;
                }));
            }
            for (Future<Double> e : errors) {
                worst = Math.max(worst, e.get());
                projected += 200;
            }
            pool.shutdown();
            // A weight the kernel cannot read (16-bit) is left to libtorch.
            NDArray half = manager.randomNormal(new Shape(64, 64)).toType(DataType.FLOAT16, false);
            System.out.println("float16 storage " + RowsKernel.storageOf(half));
        }
        System.out.println("projected " + projected);
        System.out.println("max relative difference " + worst);
    }

    /** The kernel's product against libtorch's, as the largest difference over the largest magnitude. */
    private static double compare(Projection p, NDArray x, NDManager scope) {
        NDArray byKernel = RowsKernel.project(x, p.storage(), p.weight().getShape().get(0), scope);
        if (byKernel == null) {
            throw new IllegalStateException("the kernel declined " + x.getShape() + " x " + p.weight().getShape());
        }
        NDArray reference = x.matMul(p.transposed());
        float[] a = byKernel.toFloatArray();
        float[] b = reference.toFloatArray();
        double diff = 0;
        double scale = 1e-30;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        if (!p.apply(x).getShape().equals(reference.getShape())) {
            throw new IllegalStateException("Projection.apply gave " + p.apply(x).getShape());
        }
        return diff / scale;
    }
}
