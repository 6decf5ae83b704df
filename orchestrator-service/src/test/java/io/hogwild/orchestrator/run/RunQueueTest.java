package io.hogwild.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.support.OrchestratorTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The queue's scripts against the real Redis, on a queue of the test's own (no dispatcher serves it): round robin
 * across clients with FIFO within each, positions that predict the dispatch order, claims that never share a run,
 * requeue that keeps a run's place, and the depth limit with its Retry-After.
 */
@OrchestratorTest
class RunQueueTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final Duration LEASE = Duration.ofSeconds(30);

    @Autowired
    RunStore store;

    @Autowired
    ReactiveStringRedisTemplate redis;

    private RunQueue queue(int maxDepth) {
        return new RunQueue(redis, new OrchestratorProperties.Queue("test-queue:" + UUID.randomUUID() + ":",
                maxDepth, Duration.ofMillis(100), 32, Duration.ofSeconds(2), Duration.ofMinutes(5),
                Duration.ofSeconds(30), Duration.ofMinutes(10), "internal"), Clock.systemUTC());
    }

    private String enqueue(RunQueue queue, String client, int maxDepth) {
        String id = client + "-" + UUID.randomUUID();
        RunStore.Enqueued enqueued = store.enqueue(queue.keys(), new RunStore.NewRun(id, RunRequest.of("2+2"),
                Layout.SINGLE, List.of("Alice"), null, null, 7L, client, Instant.now()), maxDepth).block(T);
        assertThat(enqueued.accepted()).as("queued %s", id).isTrue();
        return id;
    }

    private List<String> drain(RunQueue queue) {
        List<String> order = new ArrayList<>();
        RunQueue.Claim claim;
        while ((claim = queue.claim("me", LEASE).block(T)) != null) {
            order.add(claim.runId());
        }
        return order;
    }

    @Test
    void roundRobinAcrossClientsAndFifoWithinEachPredictedByThePositions() {
        RunQueue queue = queue(100);
        String a1 = enqueue(queue, "alice", 100);
        String a2 = enqueue(queue, "alice", 100);
        String a3 = enqueue(queue, "alice", 100);
        String b1 = enqueue(queue, "bob", 100);
        String c1 = enqueue(queue, "carol", 100);
        String c2 = enqueue(queue, "carol", 100);
        List<String> expected = List.of(a1, b1, c1, a2, c2, a3);
        for (int i = 0; i < expected.size(); i++) {
            String id = expected.get(i);
            assertThat(queue.position(id, id.substring(0, id.indexOf('-'))).block(T)).as(id).isEqualTo(i + 1);
        }
        assertThat(queue.depth().block(T)).isEqualTo(6);

        assertThat(drain(queue)).containsExactlyElementsOf(expected);
        assertThat(queue.depth().block(T)).isZero();
        assertThat(queue.dispatching().collectList().block(T)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(queue.position(a1, "alice").block(T)).as("claimed: being dispatched").isZero();
    }

    @Test
    void aRequeuedRunKeepsItsPlaceAndItsClientItsTurn() {
        RunQueue queue = queue(100);
        String a1 = enqueue(queue, "alice", 100);
        String a2 = enqueue(queue, "alice", 100);
        String b1 = enqueue(queue, "bob", 100);

        RunQueue.Claim first = queue.claim("me", LEASE).block(T);
        assertThat(first.runId()).isEqualTo(a1);
        assertThat(queue.requeue(first, "someone-else").block(T)).as("only the claimer may").isFalse();
        assertThat(queue.requeue(first, "me").block(T)).isTrue();
        assertThat(queue.position(a1, "alice").block(T)).isEqualTo(1);

        assertThat(drain(queue)).containsExactly(a1, b1, a2);
    }

    @Test
    void concurrentClaimersNeverShareARun() {
        RunQueue queue = queue(1000);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            all.add(enqueue(queue, "client" + (i % 5), 1000));
        }
        // Eight claimers at once, each claiming again as soon as it got one, until the queue is empty.
        List<String> claimed = Flux.range(0, 8)
                .flatMap(claimer -> {
                    Mono<RunQueue.Claim> next = Mono.defer(() -> queue.claim("claimer-" + claimer, LEASE));
                    return next.expand(claim -> next).subscribeOn(Schedulers.parallel());
                }, 8)
                .map(RunQueue.Claim::runId)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(claimed).hasSize(60).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void aCancelledRunLeavesTheQueueAndItsClientTheRing() {
        RunQueue queue = queue(100);
        String a1 = enqueue(queue, "alice", 100);
        String b1 = enqueue(queue, "bob", 100);
        store.transition(a1, List.of(RunStatus.QUEUED), RunStatus.CANCELLED, Map.of()).block(T);
        queue.remove(a1, "alice").block(T);

        assertThat(queue.position(a1, "alice").block(T)).isNull();
        assertThat(queue.position(b1, "bob").block(T)).isEqualTo(1);
        assertThat(queue.snapshot().block(T).clients()).containsOnlyKeys("bob");
        assertThat(drain(queue)).containsExactly(b1);
    }

    @Test
    void aCancelledRunStillInTheQueueIsSkippedByTheClaim() {
        RunQueue queue = queue(100);
        String a1 = enqueue(queue, "alice", 100);
        String a2 = enqueue(queue, "alice", 100);
        // Cancelled, but the process died before taking it out of the queue.
        store.transition(a1, List.of(RunStatus.QUEUED), RunStatus.CANCELLED, Map.of()).block(T);
        assertThat(drain(queue)).containsExactly(a2);
    }

    @Test
    void aFullQueueRecordsNothingAndRetryAfterFollowsTheDrainRate() {
        RunQueue queue = queue(3);
        enqueue(queue, "alice", 3);
        enqueue(queue, "alice", 3);
        enqueue(queue, "bob", 3);
        String refused = "refused-" + UUID.randomUUID();
        RunStore.Enqueued full = store.enqueue(queue.keys(), new RunStore.NewRun(refused, RunRequest.of("2+2"),
                Layout.SINGLE, List.of("Alice"), null, null, 7L, "carol", Instant.now()), 3).block(T);
        assertThat(full).isEqualTo(new RunStore.Enqueued(false, 3));
        assertThat(store.view(refused).block(T)).as("a refused run is not recorded").isNull();

        // Nothing drained yet: the idle Retry-After.
        assertThat(queue.retryAfter(3).block(T)).isEqualTo(Duration.ofSeconds(30));
        // Two runs dispatched within the 5-minute window: one slot frees every 150 s.
        queue.claim("me", LEASE).block(T);
        queue.claim("me", LEASE).block(T);
        assertThat(queue.retryAfter(3).block(T)).isEqualTo(Duration.ofSeconds(150));
        assertThat(queue.retryAfter(5).block(T)).isEqualTo(Duration.ofSeconds(450));
    }
}
