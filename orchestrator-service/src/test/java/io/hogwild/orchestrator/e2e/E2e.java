package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.event.EventData;
import io.hogwild.orchestrator.support.ServiceProcess;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.TestRedis;
import io.hogwild.worker.WorkerApplication;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the end-to-end tests of runs that survive share: requests, reads of a run and its log, what a log must be. */
final class E2e {

    /** The tiny random-weight checkpoint: it babbles, so runs end by budget; long enough to kill things meanwhile. */
    static final String TINY_MODEL = "hogwild-engine/src/test/resources/golden/qwen3-tiny";

    private E2e() {
    }

    /** A greedy two-worker run of about 300 tokens per worker (seconds on the tiny model). */
    static RunRequest collaboration(int i) {
        return new RunRequest("Run " + i + ": Alice and Bob must find 17 * 23.", 2, Layout.COMBINED, 300, 24, 0.0,
                1.0, 0, (long) i, 0, 4, false, false, null);
    }

    static String post(WebTestClient http, RunRequest request) {
        return http.post().uri("/internal/runs").contentType(MediaType.APPLICATION_JSON).bodyValue(request)
                .exchange().expectStatus().isAccepted()
                .expectBody(RunView.class).returnResult().getResponseBody().runId();
    }

    static RunView get(WebTestClient http, String runId) {
        return http.get().uri("/internal/runs/{id}", runId).exchange().expectStatus().isOk()
                .expectBody(RunView.class).returnResult().getResponseBody();
    }

    static int tokens(WebTestClient http, String runId) {
        return get(http, runId).progress().stream().mapToInt(p -> p.tokens()).sum();
    }

    static List<RunEvent> log(WebTestClient http, String runId) {
        return http.get().uri("/admin/runs/{id}/events?limit=10000", runId).exchange().expectStatus().isOk()
                .expectBodyList(RunEvent.class).returnResult().getResponseBody();
    }

    /** Every session event once, in the worker's order, none missing; RUN_ENDED once, last. */
    static void assertCompleteLog(String runId, List<RunEvent> events) {
        List<Long> seqs = events.stream().filter(e -> e.sessionSeq() != null).map(RunEvent::sessionSeq).toList();
        assertThat(seqs).as("run %s: every session event once, in order, no gap", runId)
                .isNotEmpty()
                .containsExactlyElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
        assertThat(events.stream().filter(e -> e.type() == EventType.RUN_ENDED).count()).as("run %s", runId)
                .isEqualTo(1);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.RUN_ENDED);
    }

    /**
     * The real GPU worker service as a process of its own (so that it can be killed with SIGKILL), on {@code redis},
     * serving {@code modelPath}; {@code extra} are more {@code --name=value} arguments.
     */
    static ServiceProcess gpuWorkerProcess(TestRedis redis, String workerId, String modelPath, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.config.name=gpu-worker-e2e",
                "--spring.data.redis.url=" + redis.url(),
                "--hogwild.model.path=" + modelPath,
                "--hogwild.worker.id=" + workerId,
                "--hogwild.worker.device=cpu",
                "--hogwild.worker.heartbeat-interval=300ms",
                "--hogwild.worker.heartbeat-ttl=3s",
                ServiceCredentials.argument()));
        args.addAll(List.of(extra));
        return ServiceProcess.start(workerId, WorkerApplication.class, args);
    }

    /** The lockstep numbers of a worker's TOKENS events: strictly increasing, one token event per pass. */
    static void assertStrictlyIncreasingLocksteps(String runId, List<RunEvent> events) {
        Map<String, List<Long>> byWorker = new LinkedHashMap<>();
        for (RunEvent e : events) {
            if (e.data() instanceof EventData.Tokens t) {
                byWorker.computeIfAbsent(t.worker(), w -> new ArrayList<>()).add(e.lockstep());
            }
        }
        assertThat(byWorker).as("run %s has token events", runId).isNotEmpty();
        byWorker.forEach((worker, locksteps) -> assertThat(locksteps)
                .as("run %s, %s: lockstep numbers of its tokens", runId, worker).isSorted().doesNotHaveDuplicates());
    }

    /** What a test started, stopped in reverse order. */
    static final class Started implements AutoCloseable {
        private final Deque<AutoCloseable> started = new ArrayDeque<>();

        <T extends AutoCloseable> T add(T service) {
            started.push(service);
            return service;
        }

        @Override
        public void close() throws Exception {
            while (!started.isEmpty()) {
                started.pop().close();
            }
        }
    }
}
