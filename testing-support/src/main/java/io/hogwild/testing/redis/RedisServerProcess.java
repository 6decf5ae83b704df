package io.hogwild.testing.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process started by the harness: loopback only, a free port, no persistence (no RDB
 * snapshots, no AOF), its working directory a fresh temp dir that is removed when it stops.
 *
 * <p>This is the path CI takes: it has no Docker engine, so Redis must come from the machine itself.
 */
final class RedisServerProcess implements RedisBackend {

    /** Environment variable (or system property {@code hogwild.redis-server}) naming the executable. */
    static final String EXECUTABLE_ENV = "HOGWILD_REDIS_SERVER";
    private static final String EXECUTABLE_PROPERTY = "hogwild.redis-server";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final int port;
    private final Path workDir;
    private final String executable;

    private RedisServerProcess(Process process, int port, Path workDir, String executable) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.executable = executable;
    }

    static RedisServerProcess start() {
        Path executable = findExecutable().orElseThrow(() -> new IllegalStateException(
                "No Redis for tests: no Docker engine and no redis-server executable. Install it with "
                        + "'apt-get install redis-server' (Debian/Ubuntu), or put it on PATH, or set "
                        + EXECUTABLE_ENV + " to its path."));
        try {
            Path workDir = Files.createTempDirectory("hogwild-test-redis-");
            // A port can be taken between probing and binding (other test JVMs run in parallel): retry a few times.
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freeLoopbackPort();
                Process process = launch(executable, port, workDir, NO_PERSISTENCE);
                try {
                    RespClient.awaitPong("127.0.0.1", port, STARTUP_TIMEOUT, process);
                    return new RedisServerProcess(process, port, workDir, executable.toString());
                } catch (IllegalStateException e) {
                    last = e;
                    process.destroyForcibly();
                }
            }
            deleteRecursively(workDir);
            throw last;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + executable, e);
        }
    }

    /** No persistence: tests own their data and nothing must survive the JVM. */
    static final List<String> NO_PERSISTENCE = List.of("--save", "", "--appendonly", "no");

    /** A loopback redis-server on {@code port} with its files in {@code workDir} and the given persistence options. */
    static Process launch(Path executable, int port, Path workDir, List<String> persistence) throws IOException {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "no"));
        command.addAll(persistence);
        command.addAll(List.of(
                "--dir", workDir.toString(),
                "--daemonize", "no",
                "--loglevel", "warning",
                "--logfile", workDir.resolve("redis.log").toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("stdout.log").toFile());
        return builder.start();
    }

    static Optional<Path> findExecutable() {
        String configured = Optional.ofNullable(System.getProperty(EXECUTABLE_PROPERTY))
                .orElse(System.getenv(EXECUTABLE_ENV));
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(EXECUTABLE_ENV + "=" + configured + " is not an executable file");
            }
            return Optional.of(path);
        }
        String pathVariable = Optional.ofNullable(System.getenv("PATH")).orElse("");
        List<String> dirs = new ArrayList<>(List.of(pathVariable.split(File.pathSeparator)));
        // Debian installs redis-server in /usr/bin, but a minimal PATH in some CI shells misses /usr/sbin-style dirs.
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"));
        return dirs.stream()
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String description() {
        return executable + " (pid " + process.pid() + ", port " + port + ")";
    }

    @Override
    public void stop() {
        stop(process);
        deleteRecursively(workDir);
    }

    /** SIGTERM (Redis saves what it must), SIGKILL after five seconds. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp dir is harmless; never fail a test run over cleanup.
        }
    }
}
