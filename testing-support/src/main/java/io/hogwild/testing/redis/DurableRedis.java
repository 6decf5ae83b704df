package io.hogwild.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} process of a test's own, with append-only persistence as the platform runs it
 * ({@code appendonly yes}, {@code appendfsync everysec}), that the test can kill with SIGKILL and start again on the
 * same port and data directory: what a crash and restart of Redis does to the services. Always a process (never a
 * container), so that SIGKILL is what the server gets. Close it to stop it and remove its directory.
 */
public final class DurableRedis implements AutoCloseable {

    /** The persistence the platform uses: see README, "Redis durability". */
    public static final List<String> APPEND_ONLY = List.of("--save", "", "--appendonly", "yes",
            "--appendfsync", "everysec");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final Path executable;
    private final Path dataDir;
    private final int port;
    private Process process;

    private DurableRedis(Path executable, Path dataDir, int port) {
        this.executable = executable;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A new server on a free loopback port with an empty data directory. */
    public static DurableRedis start() {
        Path executable = RedisServerProcess.findExecutable().orElseThrow(() -> new IllegalStateException(
                "DurableRedis needs a redis-server executable (PATH or " + RedisServerProcess.EXECUTABLE_ENV + ")"));
        try {
            DurableRedis redis = new DurableRedis(executable, Files.createTempDirectory("hogwild-durable-redis-"),
                    RedisServerProcess.freeLoopbackPort());
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server", e);
        }
    }

    private void launch() throws IOException {
        process = RedisServerProcess.launch(executable, port, dataDir, APPEND_ONLY);
        RespClient.awaitPong("127.0.0.1", port, STARTUP_TIMEOUT, process);
    }

    /** SIGKILL: the server gets no chance to flush or save anything. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the server again on the same port and data directory (it loads the append-only file). */
    public void restart() {
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart redis-server", e);
        }
    }

    public boolean running() {
        return process.isAlive();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Sends one raw command (see {@link RespClient#command}). */
    public Object command(String... args) {
        try (RespClient client = new RespClient("127.0.0.1", port)) {
            return client.command(args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis command " + args[0] + " failed on " + url(), e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            RedisServerProcess.stop(process);
        }
        RedisServerProcess.deleteRecursively(dataDir);
    }
}
