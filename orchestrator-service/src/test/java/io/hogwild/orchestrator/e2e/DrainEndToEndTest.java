package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunResumption;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.run.RunStates;
import io.hogwild.orchestrator.support.ServiceProcess;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Graceful drain with SIGTERM, on real GPU worker processes: a worker whose drain grace is shorter than its runs gives
 * them up and they resume on the other worker; a worker with a long grace marks itself draining in the registry, is
 * given no new run, finishes the runs it has and then exits on its own.
 */
@ExtendWith(RedisExtension.class)
class DrainEndToEndTest {

    private final E2e.Started started = new E2e.Started();

    @AfterEach
    void stop() throws Exception {
        started.close();
    }

    @Test
    void aDrainingWorkerFinishesWhatItCanAndItsOtherRunsResumeElsewhere(TestRedis redis) {
        redis.flushAll();
        String patient = "drain-patient";
        String hasty = "drain-hasty";
        ServiceProcess patientWorker = started.add(E2e.gpuWorkerProcess(redis, patient, E2e.TINY_MODEL,
                "--hogwild.worker.drain-grace=3m", "--hogwild.worker.max-sessions=4"));
        ServiceProcess hastyWorker = started.add(E2e.gpuWorkerProcess(redis, hasty, E2e.TINY_MODEL,
                "--hogwild.worker.drain-grace=1s", "--hogwild.worker.max-sessions=4"));
        ConfigurableApplicationContext orchestrator = started.add(CollaborativeRunEndToEndTest.startOrchestrator(
                "--hogwild.orchestrator.resume.retry-interval=200ms"));
        WebTestClient http = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(orchestrator));
        List.of(patientWorker, hastyWorker).forEach(w -> w.awaitReady(Duration.ofMinutes(2)));
        List.of(patient, hasty).forEach(id -> CollaborativeRunEndToEndTest.awaitRegistration(redis, id));

        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runIds.add(E2e.post(http, E2e.collaboration(i)));
        }
        // Each worker has the most free slots in turn, so both get runs; wait until all of them generate.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> runIds.stream()
                .allMatch(id -> E2e.get(http, id).status() == RunStatus.RUNNING && E2e.tokens(http, id) > 0));
        Map<String, List<String>> byWorker = runIds.stream().collect(Collectors.groupingBy(
                id -> E2e.get(http, id).gpuWorker()));
        assertThat(byWorker).containsOnlyKeys(patient, hasty);

        // The hasty worker's grace is over long before its runs are: they resume on the patient one.
        hastyWorker.terminate();
        await().atMost(Duration.ofMinutes(1)).until(() -> !hastyWorker.isAlive());
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() -> byWorker.get(hasty)
                .stream().allMatch(id -> !E2e.get(http, id).resumed().isEmpty()));

        // The patient worker drains: marked so in the registry, given no new run, its runs finish, then it exits.
        patientWorker.terminate();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> String.valueOf(redis.command("GET", "hogwild:workers:" + patient))
                        .contains("\"draining\":true"));
        String postedDuringDrain = E2e.post(http, E2e.collaboration(99));
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> !patientWorker.isAlive());
        assertThat(E2e.get(http, postedDuringDrain).status()).as("no run is given to a draining worker")
                .isEqualTo(RunStatus.QUEUED);
        // The worker sent its sessions' last events before it exited; the orchestrator records them (and with them
        // the runs' end) on its own time, so the runs end shortly after, not necessarily before, the process does.
        // Without a GPU worker left, a run whose last events had been lost could not end at all: this wait would fail.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> runIds.stream()
                .allMatch(id -> RunStates.isFinal(E2e.get(http, id).status())));

        for (String runId : runIds) {
            RunView run = E2e.get(http, runId);
            assertThat(run.status()).as("%s: %s", runId, run.failureReason()).isEqualTo(RunStatus.FINISHED);
            List<RunEvent> log = E2e.log(http, runId);
            E2e.assertCompleteLog(runId, log);
            E2e.assertStrictlyIncreasingLocksteps(runId, log);
            if (byWorker.get(hasty).contains(runId)) {
                assertThat(run.resumed()).extracting(RunResumption::fromWorker, RunResumption::toWorker)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(hasty, patient));
            } else {
                assertThat(run.resumed()).as("finished on the draining worker").isEmpty();
            }
            assertThat(run.gpuWorker()).isEqualTo(patient);
        }
    }
}
