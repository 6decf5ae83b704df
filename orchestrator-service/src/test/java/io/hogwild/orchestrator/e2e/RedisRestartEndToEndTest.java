package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.DurableRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Redis killed with SIGKILL in the middle of runs and started again on the same data directory (append-only file, as
 * the platform runs it): every run and every event recorded before the kill is still there, byte for byte, and the
 * runs that were in flight pause while Redis is away and then finish, with a complete log (each session event once,
 * in order). The real GPU worker and orchestrator reconnect on their own.
 */
class RedisRestartEndToEndTest {

    private final E2e.Started started = new E2e.Started();

    @AfterEach
    void stop() throws Exception {
        started.close();
    }

    @Test
    void aRedisCrashLosesNothingRecordedAndRunsInFlightFinish() {
        DurableRedis redis = started.add(DurableRedis.start());
        String onDurableRedis = "--spring.data.redis.url=" + redis.url();
        // Calls to a Redis that is down fail after 2 s instead of Lettuce's default minute.
        String redisTimeout = "--spring.data.redis.timeout=2s";
        String workerId = "restart-gpu-" + UUID.randomUUID();
        started.add(CollaborativeRunEndToEndTest.startGpuWorker(E2e.TINY_MODEL, workerId, onDurableRedis,
                redisTimeout));
        ConfigurableApplicationContext orchestrator = started.add(CollaborativeRunEndToEndTest.startOrchestrator(
                onDurableRedis, redisTimeout, "--hogwild.orchestrator.registry.heartbeat-check-interval=300ms"));
        WebTestClient http = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(orchestrator));
        await().atMost(Duration.ofSeconds(60)).until(() -> redis.command("GET", "hogwild:workers:" + workerId) != null);

        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runIds.add(E2e.post(http, E2e.collaboration(i)));
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> runIds.stream()
                .allMatch(id -> E2e.get(http, id).status() == RunStatus.RUNNING && E2e.tokens(http, id) > 0));

        // What Redis acknowledged before the crash.
        Object runsBefore = redis.command("ZRANGE", "hogwild:runs:all", "0", "-1");
        Map<String, List<?>> logsBefore = new LinkedHashMap<>();
        runIds.forEach(id -> logsBefore.put(id, (List<?>) redis.command("XRANGE", "hogwild:run:" + id + ":events",
                "-", "+")));
        redis.kill();

        // The orchestrator notices: it cannot read runs while Redis is away...
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get().uri("/internal/runs/{id}", runIds.get(0))
                .exchange().returnResult(String.class).getStatus().is5xxServerError());
        redis.restart();

        // ...and what it kept is what it had: every run, each log the same events with the same ids up to where the
        // append-only file got. With appendfsync everysec a disk too slow to fsync lets Redis postpone writing for
        // up to two seconds, so the newest events may be missing; they are recorded again below from the GPU
        // worker's buffer, since an event is appended only as the last recorded seq + 1.
        assertThat(redis.command("ZRANGE", "hogwild:runs:all", "0", "-1")).isEqualTo(runsBefore);
        logsBefore.forEach((id, before) -> {
            List<?> after = (List<?>) redis.command("XRANGE", "hogwild:run:" + id + ":events", "-", "+");
            int kept = Math.min(after.size(), before.size());
            assertThat(after.subList(0, kept)).as("log of %s", id).isEqualTo(before.subList(0, kept));
            System.out.printf("run %s: %d events acknowledged before the crash, %d in the log after the restart%n",
                    id, before.size(), after.size());
        });

        // The runs in flight go on once the services have reconnected, and end with complete logs.
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> runIds.stream().allMatch(id -> E2e.get(http, id).status() == RunStatus.FINISHED));
        for (String runId : runIds) {
            List<RunEvent> events = E2e.log(http, runId);
            E2e.assertCompleteLog(runId, events);
            assertThat(events.size()).isGreaterThan(logsBefore.get(runId).size());
        }
    }
}
