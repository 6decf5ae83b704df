package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunPage;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.OrchestratorApplication;
import io.hogwild.orchestrator.run.RunStates;
import io.hogwild.orchestrator.support.ServiceProcess;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Chaos with the bundled demo model: two GPU workers and two orchestrators (each of the doomed ones a process of its
 * own) on one real Redis; 20 greedy runs (2 and 4 workers) posted at once, half to each orchestrator; during the burst
 * the GPU worker of a run that is generating is killed with SIGKILL, and so is one orchestrator. Every run must end
 * FINISHED with the answer the same request gets undisturbed, which must be the right one, at least
 * one run must have been resumed on the surviving GPU worker, every log must be complete with strictly increasing
 * lockstep numbers per worker, and the admin list must hold exactly the 20 runs.
 */
@ExtendWith(RedisExtension.class)
class ChaosEndToEndTest {

    private static final int RUNS = 20;
    private static final String DEMO_MODEL = "models/hogwild-demo";

    private final E2e.Started started = new E2e.Started();

    @AfterEach
    void stop() throws Exception {
        started.close();
    }

    /** A problem of the demo family with its answer. */
    record Problem(String text, String answer) {}

    static Problem problem(Random random) {
        StringBuilder items = new StringBuilder();
        StringBuilder answer = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            char letter = (char) ('A' + i);
            int a = random.nextInt(10);
            int b = random.nextInt(10);
            char op = "+-*".charAt(random.nextInt(3));
            int result = op == '+' ? a + b : op == '-' ? a - b : a * b;
            if (result < 0 || result > 9) {
                i--;
                continue;
            }
            items.append(i == 0 ? "" : ", ").append(letter).append('=').append(a).append(op).append(b);
            answer.append(letter).append(result);
        }
        return new Problem("Compute every item, then answer with each letter and its result: " + items + ".",
                answer.toString());
    }

    static RunRequest request(Problem problem, int workers) {
        return new RunRequest(problem.text(), workers, Layout.COMBINED, 200, 64, 0.0, 1.0, 0, 1L, 0, 16, false, false,
                null);
    }

    @Test
    void twentyRunsFinishThroughAKilledGpuWorkerAndAKilledOrchestrator(TestRedis redis) {
        DemoModelCollaborationEndToEndTest.requireDemoModel();
        redis.flushAll();
        List<String> shared = List.of(
                "--hogwild.orchestrator.events.owner-lease=3s",
                "--hogwild.orchestrator.queue.takeover-interval=500ms",
                "--hogwild.orchestrator.queue.dispatch-interval=100ms",
                "--hogwild.orchestrator.registry.heartbeat-check-interval=500ms",
                "--hogwild.orchestrator.registry.heartbeat-grace=2s",
                "--hogwild.orchestrator.resume.retry-interval=200ms");
        Map<String, ServiceProcess> gpuWorkers = new LinkedHashMap<>();
        for (String id : List.of("chaos-gpu-a", "chaos-gpu-b")) {
            gpuWorkers.put(id, started.add(E2e.gpuWorkerProcess(redis, id, DEMO_MODEL,
                    "--hogwild.worker.max-sessions=4")));
        }
        List<String> doomedArgs = new ArrayList<>(shared);
        doomedArgs.addAll(List.of("--spring.data.redis.url=" + redis.url(), ServiceCredentials.argument(),
                "--hogwild.orchestrator.events.poll-interval=20ms"));
        ServiceProcess doomed = started.add(ServiceProcess.start("chaos-orchestrator-a", OrchestratorApplication.class,
                doomedArgs));
        ConfigurableApplicationContext survivor = started.add(CollaborativeRunEndToEndTest.startOrchestrator(
                shared.toArray(String[]::new)));
        doomed.awaitReady(Duration.ofMinutes(2));
        gpuWorkers.values().forEach(w -> w.awaitReady(Duration.ofMinutes(2)));
        gpuWorkers.keySet().forEach(id -> CollaborativeRunEndToEndTest.awaitRegistration(redis, id));
        WebTestClient toDoomed = StubGpuWorker.client(doomed.port());
        WebTestClient toSurvivor = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(survivor));

        Random random = new Random(13);
        List<Problem> problems = new ArrayList<>();
        List<RunRequest> requests = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            problems.add(problem(random));
            requests.add(request(problems.get(i), i % 2 == 0 ? 2 : 4));
        }

        // What each request gives undisturbed: the reference a disturbed run must reproduce exactly.
        List<String> reference = finishAll(toSurvivor, requests.stream().map(r -> E2e.post(toSurvivor, r)).toList())
                .stream().map(RunView::finalAnswer).toList();
        redis.flushAll(); // the chaos' runs alone in Redis; the GPU workers register again with their next heartbeat
        gpuWorkers.keySet().forEach(id -> CollaborativeRunEndToEndTest.awaitRegistration(redis, id));

        // The burst, half through each orchestrator.
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runIds.add(E2e.post(i % 2 == 0 ? toDoomed : toSurvivor, requests.get(i)));
        }
        Function<String, RunView> view = id -> E2e.get(toSurvivor, id);
        String[] generating = new String[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (String id : runIds) {
                RunView run = view.apply(id);
                if (run.status() == RunStatus.RUNNING && run.progress().stream().mapToInt(p -> p.tokens()).sum() > 0) {
                    generating[0] = run.gpuWorker();
                    return true;
                }
            }
            return false;
        });
        gpuWorkers.get(generating[0]).kill();
        doomed.kill();

        List<RunView> ended = finishAll(toSurvivor, runIds);
        List<String> summary = new ArrayList<>();
        summary.add("chaos: killed GPU worker " + generating[0] + " and one orchestrator (SIGKILL) during the burst");
        int right = 0;
        int resumed = 0;
        for (int i = 0; i < RUNS; i++) {
            RunView run = ended.get(i);
            List<RunEvent> log = E2e.log(toSurvivor, run.runId());
            boolean correct = problems.get(i).answer().equals(run.finalAnswer());
            right += correct ? 1 : 0;
            resumed += run.resumed().isEmpty() ? 0 : 1;
            summary.add(String.format("run %2d  workers %d  %-8s  answer %-17s  %s  resumed %-40s  events %d", i,
                    run.workers().size(), run.status(), run.finalAnswer(), correct ? "right" : "= undisturbed",
                    run.resumed().stream().map(r -> r.fromWorker() + "->" + r.toWorker() + "@" + r.atLockstep())
                            .collect(Collectors.joining(",")), log.size()));

            assertThat(run.status()).as("run %d: %s", i, run.failureReason()).isEqualTo(RunStatus.FINISHED);
            assertThat(run.finalAnswer()).as("run %d: the answer of the same request undisturbed", i)
                    .isEqualTo(reference.get(i));
            assertThat(run.finalAnswer()).as("run %d: the right answer", i).isEqualTo(problems.get(i).answer());
            E2e.assertCompleteLog(run.runId(), log);
            E2e.assertStrictlyIncreasingLocksteps(run.runId(), log);
            assertThat(log.stream().filter(e -> e.type() == EventType.RUN_RESUMED).count()).as("run %d", i)
                    .isEqualTo(run.resumed().size());
        }
        summary.add(String.format("chaos: %d/%d FINISHED, %d resumed, %d with the right answer (all equal to the "
                + "undisturbed runs' answers)", ended.stream().filter(r -> r.status() == RunStatus.FINISHED).count(),
                RUNS, resumed, right));
        System.out.println(String.join("\n", summary));

        assertThat(resumed).as("runs resumed on the surviving GPU worker").isPositive();
        RunPage all = toSurvivor.get().uri("/admin/runs?size=200").exchange().expectStatus().isOk()
                .expectBody(RunPage.class).returnResult().getResponseBody();
        assertThat(all.total()).isEqualTo(RUNS);
        assertThat(all.items()).extracting(RunView::runId).containsExactlyInAnyOrderElementsOf(runIds);
    }

    private static List<RunView> finishAll(WebTestClient http, List<String> runIds) {
        try {
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(500)).until(() -> runIds.stream()
                    .allMatch(id -> RunStates.isFinal(E2e.get(http, id).status())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Where the unfinished runs stand, for the report.
            runIds.stream().map(id -> E2e.get(http, id)).filter(run -> !RunStates.isFinal(run.status()))
                    .forEach(run -> System.out.println("unfinished: " + run + "\n  last events: " + E2e.log(http,
                            run.runId()).stream().skip(Math.max(0, E2e.log(http, run.runId()).size() - 4))
                            .map(ev -> ev.type() + "@" + ev.lockstep()).toList()));
            System.out.println("queue: " + http.get().uri("/admin/queue").exchange().expectBody(String.class)
                    .returnResult().getResponseBody());
            throw e;
        }
        return runIds.stream().map(id -> E2e.get(http, id)).toList();
    }
}
