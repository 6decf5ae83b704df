package io.hogwild.engine.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How libtorch's MKL chose its CPU kernels in this process. On AMD CPUs it picks them by vendor unless the launcher's
 * small library (scripts/mkl-cpu-path, preloaded by {@code ./hogwild}) makes it pick them by CPU features, as on Intel;
 * the two sets differ in which orientation of a projection is faster at a few rows ({@link
 * io.hogwild.engine.model.Projection}).
 */
public final class MklCpuPath {

    /** The file name of the launcher's library. */
    public static final String LIBRARY = "libhogwild-mkl-cpu-path.so";

    private static final boolean BY_FEATURES = detect();

    private MklCpuPath() {}

    /** True when MKL picks its kernels by CPU features here (the launcher's library is loaded). */
    public static boolean byFeatures() {
        return BY_FEATURES;
    }

    /** {@code "features"} or {@code "default"}, as the bench reports it. */
    public static String name() {
        return BY_FEATURES ? "features" : "default";
    }

    private static boolean detect() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains(LIBRARY);
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux): nothing was preloaded either
        }
    }
}
