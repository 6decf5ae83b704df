package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunResumption;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.run.RunStates;
import io.hogwild.orchestrator.support.ServiceProcess;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A greedy run whose GPU worker is killed with SIGKILL once the run has passed a chosen lockstep is resumed on the
 * other GPU worker from its log, and ends with exactly the transcript and answer of the same request run without
 * interruption: every step's text, tokens, view and end, the shared history, the finisher and the answers.
 */
@ExtendWith(RedisExtension.class)
class ResumeEndToEndTest {

    /** Kill the run's GPU worker once both of its workers chose this many tokens (one per lockstep pass). */
    private static final int KILL_AFTER_LOCKSTEP = 40;

    private final E2e.Started started = new E2e.Started();

    @AfterEach
    void stop() throws Exception {
        started.close();
    }

    @Test
    void aRunResumedOnAnotherWorkerEndsExactlyAsTheUninterruptedRun(TestRedis redis) {
        redis.flushAll();
        String prefix = "resume-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, ServiceProcess> workers = Map.of(
                prefix + "-a", started.add(E2e.gpuWorkerProcess(redis, prefix + "-a", E2e.TINY_MODEL)),
                prefix + "-b", started.add(E2e.gpuWorkerProcess(redis, prefix + "-b", E2e.TINY_MODEL)));
        ConfigurableApplicationContext orchestrator = started.add(CollaborativeRunEndToEndTest.startOrchestrator(
                "--hogwild.orchestrator.registry.heartbeat-grace=2s",
                "--hogwild.orchestrator.resume.retry-interval=200ms"));
        WebTestClient http = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(orchestrator));
        workers.values().forEach(w -> w.awaitReady(Duration.ofMinutes(2)));
        workers.keySet().forEach(id -> CollaborativeRunEndToEndTest.awaitRegistration(redis, id));
        RunRequest request = E2e.collaboration(1);

        String interrupted = E2e.post(http, request);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> E2e.tokens(http, interrupted) >= 2 * KILL_AFTER_LOCKSTEP);
        String lost = E2e.get(http, interrupted).gpuWorker();
        workers.get(lost).kill();

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> RunStates.isFinal(E2e.get(http, interrupted).status()));
        RunView resumed = E2e.get(http, interrupted);
        assertThat(resumed.status()).as("%s", resumed.failureReason()).isEqualTo(RunStatus.FINISHED);
        assertThat(resumed.resumed()).hasSize(1);
        RunResumption resumption = resumed.resumed().get(0);
        assertThat(resumption.fromWorker()).isEqualTo(lost);
        assertThat(resumption.toWorker()).isEqualTo(resumed.gpuWorker()).isNotEqualTo(lost);
        assertThat(resumption.atLockstep()).isGreaterThanOrEqualTo(KILL_AFTER_LOCKSTEP);

        List<RunEvent> log = E2e.log(http, interrupted);
        E2e.assertCompleteLog(interrupted, log);
        E2e.assertStrictlyIncreasingLocksteps(interrupted, log);
        assertThat(log.stream().filter(e -> e.type() == EventType.RUN_RESUMED).map(RunEvent::data).toList())
                .containsExactly(new EventData.RunResumed(lost, resumption.toWorker(), resumption.atLockstep()));
        assertThat(log.stream().filter(e -> e.lockstep() != null).mapToLong(RunEvent::lockstep).max().orElseThrow())
                .as("the run went on after it was resumed").isGreaterThan(resumption.atLockstep());

        String uninterrupted = E2e.post(http, request);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> RunStates.isFinal(E2e.get(http, uninterrupted).status()));
        RunView reference = E2e.get(http, uninterrupted);
        assertThat(reference.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(reference.resumed()).isEmpty();

        RunTranscript expected = transcript(http, uninterrupted);
        RunTranscript actual = transcript(http, interrupted);
        assertThat(actual.workers()).allSatisfy(w -> assertThat(w.steps()).isNotEmpty());
        assertThat(actual).usingRecursiveComparison()
                .ignoringFieldsMatchingRegexes(".*runId", ".*AtMillis")
                .isEqualTo(expected);
        assertThat(resumed.finalAnswer()).isEqualTo(reference.finalAnswer());
        assertThat(resumed.answers()).isEqualTo(reference.answers());
        assertThat(resumed.progress()).isEqualTo(reference.progress());
    }

    private static RunTranscript transcript(WebTestClient http, String runId) {
        return http.get().uri("/admin/runs/{id}/transcript", runId).exchange().expectStatus().isOk()
                .expectBody(RunTranscript.class).returnResult().getResponseBody();
    }
}
