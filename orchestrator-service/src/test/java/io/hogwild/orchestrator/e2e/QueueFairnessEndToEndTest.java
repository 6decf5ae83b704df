package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The queue with real parts (real GPU worker with one session slot, real orchestrator, real Redis): ten runs posted at
 * once by two API keys are all accepted (202 QUEUED), wait while the worker is busy, and are dispatched fairly: per
 * key in the order posted, the two keys taking turns, exactly in the order the queue positions announced.
 */
@ExtendWith(RedisExtension.class)
class QueueFairnessEndToEndTest {

    private final E2e.Started started = new E2e.Started();

    @AfterEach
    void stop() throws Exception {
        started.close();
    }

    @Test
    void tenRunsFromTwoKeysAreQueuedAndDispatchedFifoPerKeyAndInTurns(TestRedis redis) {
        // A queue of this test's own: no other orchestrator of this JVM dispatches from it.
        ConfigurableApplicationContext orchestrator = started.add(CollaborativeRunEndToEndTest.startOrchestrator(
                "--hogwild.orchestrator.queue.key-prefix=fairness-" + UUID.randomUUID() + ":"));
        WebTestClient http = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(orchestrator));

        // Posted at once: each key's runs one after the other from its own thread, both threads together.
        CompletableFuture<List<RunView>> alice = CompletableFuture.supplyAsync(() -> post(http, "alice", 6));
        CompletableFuture<List<RunView>> bob = CompletableFuture.supplyAsync(() -> post(http, "bob", 4));
        List<RunView> aliceRuns = alice.join();
        List<RunView> bobRuns = bob.join();
        List<RunView> all = new ArrayList<>(aliceRuns);
        all.addAll(bobRuns);
        assertThat(all).allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.QUEUED));

        // No GPU worker yet: everything waits, and the positions say in which order it will run.
        Map<String, Integer> positions = all.stream().collect(Collectors.toMap(RunView::runId,
                run -> E2e.get(http, run.runId()).queuePosition()));
        assertThat(positions.values()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        List<String> announced = positions.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey).toList();

        started.add(CollaborativeRunEndToEndTest.startGpuWorker(E2e.TINY_MODEL, "fairness-gpu-" + UUID.randomUUID(),
                "--hogwild.worker.max-sessions=1"));

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> all.stream()
                .allMatch(run -> E2e.get(http, run.runId()).status() == RunStatus.FINISHED));
        List<RunView> finished = all.stream().map(run -> E2e.get(http, run.runId())).toList();
        List<String> dispatched = finished.stream().sorted(Comparator.comparing(RunView::startedAt))
                .map(RunView::runId).toList();
        List<String> ended = finished.stream().sorted(Comparator.comparing(RunView::finishedAt))
                .map(RunView::runId).toList();

        assertThat(dispatched).as("dispatch order = announced order").containsExactlyElementsOf(announced);
        assertThat(ended).as("one slot: they finish in the order they started").containsExactlyElementsOf(dispatched);
        // FIFO per key.
        assertThat(dispatched.stream().filter(ids(aliceRuns)::contains).toList()).containsExactlyElementsOf(
                ids(aliceRuns));
        assertThat(dispatched.stream().filter(ids(bobRuns)::contains).toList()).containsExactlyElementsOf(
                ids(bobRuns));
        // Fair: the keys take turns while both have runs waiting, then alice's last two follow.
        String keys = dispatched.stream().map(id -> ids(aliceRuns).contains(id) ? "A" : "B")
                .collect(Collectors.joining());
        assertThat(keys).isIn("ABABABABAA", "BABABABAAA");
        assertThat(finished).allSatisfy(run -> assertThat(run.client()).isIn("alice", "bob"));
    }

    private static List<RunView> post(WebTestClient http, String client, int count) {
        List<RunView> runs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            runs.add(http.post().uri("/internal/runs").header("X-Hogwild-Client", client)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(new RunRequest(client + " run " + i + ": what is 2+2?", 1, Layout.SINGLE, 8, 8, 0.0,
                            1.0, 0, 1L, 0, 2, false, false, null))
                    .exchange().expectStatus().isAccepted()
                    .expectBody(RunView.class).returnResult().getResponseBody());
        }
        return runs;
    }

    private static List<String> ids(List<RunView> runs) {
        return runs.stream().map(RunView::runId).toList();
    }
}
