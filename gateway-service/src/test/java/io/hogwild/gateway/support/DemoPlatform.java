package io.hogwild.gateway.support;

import static org.awaitility.Awaitility.await;

import io.hogwild.orchestrator.OrchestratorApplication;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RedisPropertiesInitializer;
import io.hogwild.testing.redis.TestRedis;
import io.hogwild.worker.WorkerApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The bundled demo model (models/hogwild-demo) in a real GPU worker and orchestrator of their own, in this JVM, on
 * the test Redis. They use their own worker registry, so runs of the tests on the tiny random checkpoint ({@link Stack})
 * never land on the demo model and demo runs never land on the tiny one. Shared by every test class of a JVM.
 */
public final class DemoPlatform {

    public static final String GPU_WORKER_ID = "console-demo-gpu";
    private static final String REGISTRY = "hogwild:console-demo-workers:";

    private static String orchestratorUrl;

    private DemoPlatform() {
    }

    /** Starts the demo GPU worker and its orchestrator once per JVM; returns the orchestrator's base URL. */
    public static synchronized String orchestratorUrl() {
        if (orchestratorUrl == null) {
            Path model = demoModel();
            ConfigurableApplicationContext gpuWorker = new SpringApplicationBuilder(WorkerApplication.class)
                    .initializers(new RedisPropertiesInitializer())
                    .run(
                            // The gateway's application.yml is first on this classpath; the worker must not read it.
                            "--spring.config.name=gpu-worker-console-e2e",
                            "--server.port=0",
                            "--hogwild.model.path=" + model,
                            "--hogwild.worker.id=" + GPU_WORKER_ID,
                            "--hogwild.worker.device=cpu",
                            "--hogwild.worker.registry-prefix=" + REGISTRY,
                            "--hogwild.worker.heartbeat-interval=300ms",
                            "--hogwild.worker.heartbeat-ttl=5s",
                            ServiceCredentials.argument());
            ConfigurableApplicationContext orchestrator = new SpringApplicationBuilder(OrchestratorApplication.class)
                    .initializers(new RedisPropertiesInitializer())
                    .run(
                            "--spring.config.name=orchestrator-console-e2e",
                            "--server.port=0",
                            "--hogwild.orchestrator.registry.key-prefix=" + REGISTRY,
                            "--hogwild.orchestrator.events.poll-interval=20ms",
                            "--hogwild.orchestrator.registry.heartbeat-check-interval=500ms",
                            ServiceCredentials.argument());
            await("the demo GPU worker's registration").atMost(Duration.ofSeconds(60))
                    .until(() -> TestRedis.shared().command("GET", REGISTRY + GPU_WORKER_ID) != null);
            // Not closed by the tests: closing a context releases Reactor Netty's global event loops, which the other
            // services of this JVM still serve on. Everything stops at JVM exit.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                orchestrator.close();
                gpuWorker.close();
            }, "console-demo-stop"));
            orchestratorUrl = "http://127.0.0.1:" + orchestrator.getEnvironment().getProperty("local.server.port");
        }
        return orchestratorUrl;
    }

    /** The committed demo checkpoint, found from the module directory upwards. */
    public static Path demoModel() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path model = dir.resolve("models/hogwild-demo");
            if (Files.isRegularFile(model.resolve("model.safetensors"))) {
                return model;
            }
        }
        throw new IllegalStateException("models/hogwild-demo (the bundled demo model) is missing: the tests of the "
                + "console and of the clients run demo runs on it");
    }
}
