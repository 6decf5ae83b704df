package io.hogwild.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's MKL library (scripts/mkl-cpu-path) really takes MKL's vendor check: built as {@code ./hogwild}
 * builds it and preloaded into a JVM that runs a matrix product, the dynamic loader binds libtorch's calls of the two
 * functions to it (what {@code LD_DEBUG=bindings} reports), and the engine reports the feature path. Should a libtorch
 * bind them internally one day, the library would do nothing; this test is what says so.
 */
class MklCpuPathTest {

    @Test
    void libtorchsMklCallsThePreloadedVendorCheck(@TempDir Path dir) throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/cpuinfo")).contains("AuthenticAMD"),
                "MKL's vendor check only matters on AMD CPUs, where the launcher preloads the library");
        Path library = LauncherLibraries.compile("mkl-cpu-path/mkl_cpu_path.c", dir.resolve(MklCpuPath.LIBRARY), "-O2");
        String out = LauncherLibraries.runProbe(MklCpuPathProbe.class, Map.of("LD_PRELOAD", library.toString(),
                "LD_DEBUG", "bindings", "LD_DEBUG_OUTPUT", dir.resolve("ld").toString()), 120);
        assertThat(out).contains("sum 1048576.0").contains("path features");

        List<String> bindings;
        try (Stream<Path> files = Files.list(dir)) {
            bindings = files.filter(f -> f.getFileName().toString().startsWith("ld."))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f, StandardCharsets.ISO_8859_1).stream();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .filter(line -> line.contains("libtorch_cpu.so") && line.contains(library.toString()))
                    .toList();
        }
        assertThat(bindings).anySatisfy(line -> assertThat(line).contains("`mkl_serv_intel_cpu_true'"));
    }
}
