package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.orchestrator.OrchestratorApplication;
import io.hogwild.orchestrator.run.SessionRecorder;
import io.hogwild.orchestrator.support.ServiceProcess;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Two orchestrator replicas on one Redis with a real GPU worker: runs posted to either are each dispatched exactly
 * once (one session per run on the worker), and when one replica is killed with SIGKILL while it records runs, the
 * other takes them over once their leases expire: every run finishes, and every run's log has each session event
 * exactly once, in order, without a gap.
 */
@ExtendWith(RedisExtension.class)
class OrchestratorReplicasEndToEndTest {

    private static final int RUNS = 8;

    private final E2e.Started started = new E2e.Started();

    @AfterEach
    void stop() throws Exception {
        started.close();
    }

    @Test
    void runsAreDispatchedOnceAndAKilledReplicasRunsFinishThroughTheOther(TestRedis redis) {
        redis.flushAll();
        List<String> shared = List.of(
                "--hogwild.orchestrator.queue.key-prefix=replicas-" + UUID.randomUUID() + ":",
                "--hogwild.orchestrator.events.owner-lease=3s",
                "--hogwild.orchestrator.queue.takeover-interval=500ms",
                "--hogwild.orchestrator.queue.dispatch-interval=100ms",
                "--hogwild.orchestrator.registry.heartbeat-check-interval=500ms");
        String workerId = "replicas-gpu-" + UUID.randomUUID();
        ConfigurableApplicationContext gpuWorker = started.add(CollaborativeRunEndToEndTest.startGpuWorker(
                E2e.TINY_MODEL, workerId, "--hogwild.worker.max-sessions=" + RUNS));
        List<String> doomedArgs = new ArrayList<>(shared);
        doomedArgs.addAll(List.of("--spring.data.redis.url=" + redis.url(), ServiceCredentials.argument(),
                "--hogwild.orchestrator.events.poll-interval=20ms"));
        ServiceProcess doomed = started.add(ServiceProcess.start("orchestrator-replica-a",
                OrchestratorApplication.class, doomedArgs)).awaitReady(Duration.ofMinutes(2));
        ConfigurableApplicationContext survivor = started.add(CollaborativeRunEndToEndTest.startOrchestrator(
                shared.toArray(String[]::new)));
        String survivorId = survivor.getBean(SessionRecorder.class).instanceId();
        WebTestClient toDoomed = StubGpuWorker.client(doomed.port());
        WebTestClient toSurvivor = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(survivor));
        await().atMost(Duration.ofSeconds(60)).until(() -> redis.command("GET", "hogwild:workers:" + workerId) != null);

        // Runs posted to either replica, and either may dispatch any of them (each is woken by its own posts and
        // claims on its timer too). Most go to the one to be killed first, so that it holds some when it dies: with
        // posts alternating, the warm replica in this JVM could claim all eight before the fresh process claimed one.
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runIds.add(E2e.post(i < RUNS - 2 ? toDoomed : toSurvivor, E2e.collaboration(i)));
        }

        // Kill the replica while it records runs that have written tokens.
        Function<String, Object> owner = runId -> redis.command("GET", "hogwild:run:" + runId + ":owner");
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> runIds.stream()
                    .anyMatch(id -> heldByDoomed(owner.apply(id), survivorId) && E2e.tokens(toSurvivor, id) > 0));
        } catch (ConditionTimeoutException e) {
            // Say who held what, so that a failure tells a race in the test from one in the dispatcher.
            throw new AssertionError("no run recorded by the replica to kill had tokens; survivor " + survivorId
                    + "; runs: " + runIds.stream().map(id -> id + "=" + E2e.get(toSurvivor, id).status() + "/"
                    + owner.apply(id)).toList(), e);
        }
        Set<String> heldAtKill = runIds.stream()
                .filter(id -> heldByDoomed(owner.apply(id), survivorId)
                        && E2e.get(toSurvivor, id).status() == RunStatus.RUNNING)
                .collect(Collectors.toSet());
        doomed.kill();
        assertThat(heldAtKill).as("runs the killed replica was recording").isNotEmpty();

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> runIds.stream()
                .allMatch(id -> E2e.get(toSurvivor, id).status() == RunStatus.FINISHED));

        for (String runId : runIds) {
            List<RunEvent> events = E2e.log(toSurvivor, runId);
            Map<EventType, Long> counts = events.stream().collect(Collectors.groupingBy(RunEvent::type,
                    Collectors.counting()));
            assertThat(counts).as("run %s", runId).containsEntry(EventType.RUN_QUEUED, 1L)
                    .containsEntry(EventType.RUN_STARTED, 1L).containsEntry(EventType.SESSION_STARTED, 1L)
                    .containsEntry(EventType.SESSION_FINISHED, 1L).containsEntry(EventType.RUN_ENDED, 1L);
            E2e.assertCompleteLog(runId, events);
        }

        // Exactly once: the worker ran one session per run, no more.
        List<SessionStatus> sessions = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(gpuWorker)).get()
                .uri("/v1/sessions").exchange().expectStatus().isOk()
                .expectBodyList(SessionStatus.class).returnResult().getResponseBody();
        assertThat(sessions.stream().map(SessionStatus::runId).toList())
                .containsExactlyInAnyOrderElementsOf(runIds);
    }

    private static boolean heldByDoomed(Object owner, String survivorId) {
        return owner != null && !survivorId.equals(owner);
    }
}
