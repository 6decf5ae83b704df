package io.hogwild.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For the tests of the launcher's C libraries: builds one as {@code ./hogwild} does, and runs a probe in a fresh JVM
 * that loads it (a library is loaded, or preloaded, when a JVM starts, not into a running one).
 */
final class LauncherLibraries {

    private LauncherLibraries() {}

    /**
     * Compiles {@code scripts/<source>} into {@code library} with {@code cc} and the launcher's flags (given after the
     * source, as the launcher gives them); the test is skipped where there is no C compiler, as the launcher skips
     * the library.
     */
    /** The absolute path of a file under scripts/ (for further sources among the flags of {@link #compile}). */
    static String source(String path) {
        return Path.of("..", "scripts", path).toAbsolutePath().normalize().toString();
    }

    static Path compile(String source, Path library, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("cc", "-shared", "-fPIC", "-o", library.toString(),
                source(source)));
        command.addAll(List.of(flags));
        Process cc;
        try {
            cc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) here: the launcher skips the library too (.ci/run installs gcc)");
            return null;
        }
        String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(output).isZero();
        return library;
    }

    /** Runs {@code main} in a fresh JVM on this classpath with {@code environment} added; its output, once it exits 0. */
    static String runProbe(Class<?> main, Map<String, String> environment, int timeoutSeconds) throws Exception {
        ProcessBuilder probe = new ProcessBuilder(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), main.getName())
                .redirectErrorStream(true);
        probe.environment().putAll(environment);
        Process p = probe.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
