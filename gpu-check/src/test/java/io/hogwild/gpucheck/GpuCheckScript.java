package io.hogwild.gpucheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code scripts/gpu-check} (or another command) as a process, its output captured in files. */
final class GpuCheckScript {

    /** A guard against a hung process, far above what any call here takes; never a measure of speed. */
    private static final long HANG_GUARD_MINUTES = 15;

    static final Path SCRIPT = Path.of(System.getProperty("gpucheck.script", "../scripts/gpu-check")).toAbsolutePath()
            .normalize();

    record Result(int code, String out, String err) {}

    private GpuCheckScript() {}

    static Result run(Path scratch, String... args) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        return exec(scratch, Map.of(), command);
    }

    static Result exec(Path scratch, Map<String, String> env, List<String> command) {
        try {
            Files.createDirectories(scratch);
            Path out = Files.createTempFile(scratch, "out", ".txt");
            Path err = Files.createTempFile(scratch, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("OUT");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(HANG_GUARD_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " hung");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** An executable shell script. */
    static Path script(Path file, String body) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "#!/bin/sh\n" + body + "\n");
            if (!file.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + file + " executable");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
