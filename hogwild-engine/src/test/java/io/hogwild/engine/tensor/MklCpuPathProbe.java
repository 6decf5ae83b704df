package io.hogwild.engine.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Run by {@link MklCpuPathTest} in a child JVM: one matrix product of several rows, then the path MKL was on. */
public final class MklCpuPathProbe {

    public static void main(String[] args) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.ones(new Shape(512, 256));
            NDArray x = m.ones(new Shape(256, 8));
            System.out.println("sum " + w.matMul(x).sum().getFloat());
        }
        System.out.println("path " + MklCpuPath.name());
    }
}
