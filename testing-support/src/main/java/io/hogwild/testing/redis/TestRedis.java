package io.hogwild.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import org.awaitility.Awaitility;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One real Redis per test JVM, started on first use and stopped at JVM exit.
 *
 * <p>Where it comes from ({@code HOGWILD_TEST_REDIS} or system property {@code hogwild.test-redis}):
 * <ul>
 *   <li>{@code auto} (default): Testcontainers when a Docker engine answers, otherwise a {@code redis-server}
 *       process;</li>
 *   <li>{@code docker}: Testcontainers only;</li>
 *   <li>{@code process}: a {@code redis-server} process only (found via {@code HOGWILD_REDIS_SERVER} or PATH).</li>
 * </ul>
 *
 * <p>Because the server belongs to the JVM, not to a Spring context, a test can close its application contexts and
 * start new ones (a service "restart") while Redis and its data stay.
 */
public final class TestRedis {

    static final String MODE_ENV = "HOGWILD_TEST_REDIS";
    private static final String MODE_PROPERTY = "hogwild.test-redis";

    private static volatile TestRedis shared;

    private final RedisBackend backend;

    private TestRedis(RedisBackend backend) {
        this.backend = backend;
    }

    /** The JVM-wide server, started on first call. */
    public static TestRedis shared() {
        TestRedis current = shared;
        if (current == null) {
            synchronized (TestRedis.class) {
                current = shared;
                if (current == null) {
                    current = new TestRedis(startBackend());
                    TestRedis started = current;
                    Runtime.getRuntime().addShutdownHook(new Thread(started.backend::stop, "test-redis-stop"));
                    shared = current;
                }
            }
        }
        return current;
    }

    private static RedisBackend startBackend() {
        String mode = System.getProperty(MODE_PROPERTY, System.getenv().getOrDefault(MODE_ENV, "auto"))
                .toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "docker" -> RedisTestContainer.start();
            case "process" -> RedisServerProcess.start();
            case "auto" -> RedisTestContainer.dockerAvailable() ? RedisTestContainer.start() : RedisServerProcess.start();
            default -> throw new IllegalStateException(MODE_ENV + " must be auto, docker or process, not " + mode);
        };
    }

    public String host() {
        return backend.host();
    }

    public int port() {
        return backend.port();
    }

    /** {@code redis://host:port}, the form {@code spring.data.redis.url} takes. */
    public String url() {
        return "redis://" + host() + ":" + port();
    }

    public String description() {
        return backend.description();
    }

    /** Registers {@code spring.data.redis.url} (and host/port) for a {@code @DynamicPropertySource} method. */
    public static void registerProperties(DynamicPropertyRegistry registry) {
        TestRedis redis = shared();
        registry.add("spring.data.redis.url", redis::url);
        registry.add("spring.data.redis.host", redis::host);
        registry.add("spring.data.redis.port", redis::port);
    }

    /** Sends one raw command (see {@link RespClient#command}). */
    public Object command(String... args) {
        try (RespClient client = new RespClient(host(), port())) {
            return client.command(args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis command " + args[0] + " failed on " + url(), e);
        }
    }

    /** Waits until {@code key} exists (a service announced itself, say); fails when {@code timeout} passes first. */
    public void awaitKey(String key, Duration timeout) {
        Awaitility.await("Redis key " + key).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> Long.valueOf(1).equals(command("EXISTS", key)));
    }

    /** Removes every key, for tests that need an empty database. */
    public void flushAll() {
        command("FLUSHALL");
    }
}
