package io.hogwild.gateway.support;

import io.hogwild.gateway.GatewayApplication;
import io.hogwild.orchestrator.OrchestratorApplication;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RedisPropertiesInitializer;
import io.hogwild.testing.redis.TestRedis;
import io.hogwild.worker.WorkerApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real platform in this JVM, each service a Spring application on its own random port against the real test
 * Redis: the GPU worker (engine on CPU, the 1 MB qwen3-tiny checkpoint copied into this module's test resources), the
 * orchestrator, and gateways configured per test. The worker and orchestrator start once per JVM and are shared by
 * every test class (starting the engine is the slow part); gateways are cheap and started per class.
 */
public final class Stack {

    public static final String ALICE_KEY = "alice-secret-key-0123456789";
    public static final String BOB_KEY = "bob-secret-key-9876543210";
    public static final String ADMIN_KEY = "admin-secret-key-5555555555";
    public static final String GPU_WORKER_ID = "gateway-e2e-gpu";

    private static ConfigurableApplicationContext gpuWorker;
    private static ConfigurableApplicationContext orchestrator;
    private static Path keyDir;

    private Stack() {
    }

    /** The shared GPU worker and orchestrator; returns the orchestrator's base URL. */
    public static synchronized String orchestratorUrl() {
        if (orchestrator == null) {
            TestRedis.shared().flushAll();
            gpuWorker = new SpringApplicationBuilder(WorkerApplication.class)
                    .initializers(new RedisPropertiesInitializer())
                    .run(
                            // Our application.yml is first on this classpath; the worker must not read it.
                            "--spring.config.name=gpu-worker-gateway-e2e",
                            "--server.port=0",
                            "--hogwild.model.path=" + tinyModel(),
                            "--hogwild.worker.id=" + GPU_WORKER_ID,
                            "--hogwild.worker.device=cpu",
                            // The load test starts 50 runs 16 at a time: no session may be refused for room.
                            "--hogwild.worker.max-sessions=64",
                            "--hogwild.worker.heartbeat-interval=300ms",
                            "--hogwild.worker.heartbeat-ttl=5s",
                            ServiceCredentials.argument());
            orchestrator = new SpringApplicationBuilder(OrchestratorApplication.class)
                    .initializers(new RedisPropertiesInitializer())
                    .run(
                            "--spring.config.name=orchestrator-gateway-e2e",
                            "--server.port=0",
                            "--hogwild.orchestrator.events.poll-interval=20ms",
                            "--hogwild.orchestrator.registry.heartbeat-check-interval=500ms",
                            "--hogwild.orchestrator.queue.dispatch-interval=100ms",
                            "--management.endpoints.web.exposure.include=health,prometheus",
                            ServiceCredentials.argument());
            awaitRegistration();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                orchestrator.close();
                gpuWorker.close();
            }, "gateway-e2e-stack-stop"));
        }
        return "http://127.0.0.1:" + port(orchestrator);
    }

    /** The shared GPU worker's base URL (starts the shared services when needed). */
    public static synchronized String gpuWorkerUrl() {
        orchestratorUrl();
        return "http://127.0.0.1:" + port(gpuWorker);
    }

    /**
     * A second orchestrator on the same Redis whose queue (a queue of its own) takes no run: every run is refused with
     * 429, Retry-After 7 s.
     */
    public static ConfigurableApplicationContext orchestratorWithFullQueue() {
        return new SpringApplicationBuilder(OrchestratorApplication.class)
                .initializers(new RedisPropertiesInitializer())
                .run("--spring.config.name=orchestrator-gateway-e2e", "--server.port=0",
                        "--hogwild.orchestrator.queue.key-prefix=hogwild:full-queue:",
                        "--hogwild.orchestrator.queue.max-depth=0",
                        "--hogwild.orchestrator.queue.idle-retry-after=7s",
                        ServiceCredentials.argument());
    }

    /**
     * A gateway on a random port in front of {@code orchestratorUrl}, with the test keys (alice and bob as users, ops
     * as admin, from key files) and the given extra properties ({@code name=value}).
     */
    public static ConfigurableApplicationContext gateway(String orchestratorUrl, String... properties) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server.port", "0");
        values.put("hogwild.gateway.orchestrator-url", orchestratorUrl);
        values.put("hogwild.gateway.api-keys-file", keyFiles().resolve("api-keys").toString());
        values.put("hogwild.gateway.admin-keys-file", keyFiles().resolve("admin-keys").toString());
        values.put("hogwild.gateway.rate-limit.requests-per-minute", "600000");
        values.put("hogwild.gateway.rate-limit.burst", "100000");
        values.put("hogwild.gateway.resilience.call-timeout", "20s");
        values.put("hogwild.internal.token", ServiceCredentials.TOKEN);
        for (String p : properties) {
            int eq = p.indexOf('=');
            values.put(p.substring(0, eq), p.substring(eq + 1));
        }
        List<String> args = new ArrayList<>();
        values.forEach((name, value) -> args.add("--" + name + "=" + value));
        ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
                .initializers(new RedisPropertiesInitializer())
                .run(args.toArray(String[]::new));
        // Never closed by the tests: closing a context releases Reactor Netty's global event loops, which the other
        // services of this JVM still serve on. Everything stops at JVM exit.
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-e2e-stop"));
        return gateway;
    }

    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key files in the Helm Secret's format: only hashes, one {@code name:sha256} per line. */
    static synchronized Path keyFiles() {
        if (keyDir == null) {
            try {
                keyDir = Files.createTempDirectory("hogwild-gateway-keys");
                Files.writeString(keyDir.resolve("api-keys"), "# users\nalice:" + sha256(ALICE_KEY) + "\n\nbob:"
                        + sha256(BOB_KEY).toUpperCase() + "\n");
                Files.writeString(keyDir.resolve("admin-keys"), "ops:" + sha256(ADMIN_KEY) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keyDir;
    }

    /**
     * The tiny checkpoint in this module's test resources, also when another module's tests use this harness (from
     * the gateway's test jar): found from the working directory upwards.
     */
    static Path tinyModel() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("src/test/resources/models/qwen3-tiny"),
                    dir.resolve("gateway-service/src/test/resources/models/qwen3-tiny"))) {
                if (Files.isRegularFile(candidate.resolve("model.safetensors"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("gateway-service/src/test/resources/models/qwen3-tiny is missing");
    }

    private static void awaitRegistration() {
        TestRedis.shared().awaitKey("hogwild:workers:" + GPU_WORKER_ID, Duration.ofSeconds(60));
    }
}
