package io.hogwild.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's rows kernel (scripts/rows-kernel), built as {@code ./hogwild} builds it and loaded into a fresh JVM,
 * projects 4 to 8 rows as libtorch does (to float32 rounding) for weights of awkward shapes (odd row counts, rows not
 * a multiple of its vector width, fewer rows than threads), on one thread and on libtorch's two, and for two callers at
 * once; it leaves 16-bit weights to libtorch. The engine's own tests run with it too, under the launcher.
 */
class RowsKernelTest {

    @Test
    void kernelProjectsLikeLibtorch(@TempDir Path dir) throws Exception {
        Path jdk = Path.of(System.getProperty("java.home"));
        assumeTrue(Files.isRegularFile(jdk.resolve("include/jni.h")), "no JNI headers in this JDK: the launcher skips it");
        Path library = LauncherLibraries.compile("rows-kernel/rows_kernel.c", dir.resolve(RowsKernel.LIBRARY),
                LauncherLibraries.source("rows-kernel/rows_attention.c"), "-O3", "-march=native",
                "-I" + jdk.resolve("include"), "-I" + jdk.resolve("include/linux"), "-lpthread", "-ldl", "-lm");
        String out = LauncherLibraries.runProbe(RowsKernelProbe.class, Map.of(RowsKernel.ENV, library.toString()), 300);
        assertThat(out).contains("loaded true").contains("float16 storage null").contains("projected 450");
        Matcher m = Pattern.compile("max relative difference ([0-9.Ee-]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(out).isLessThan(1e-5);
    }

    @Test
    void launcherBuiltKernelIsLoadedInThisJvm() {
        String path = System.getenv(RowsKernel.ENV);
        assumeTrue(path != null && !"off".equals(path), "not run by ./hogwild (or with HOGWILD_ROWS_KERNEL=off)");
        assertThat(RowsKernel.loaded()).as("the library the launcher built, " + path).isTrue();
        assertThat(RowsKernel.name()).isEqualTo("rows-kernel");
    }
}
