package io.hogwild.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.support.OrchestratorTest;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerResilience;
import io.hogwild.testing.redis.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

/**
 * A claimed run is never dropped, against the real Redis. First, a dispatch that ends without an outcome (here a
 * planner that completes empty) leaves the run claimed, so that the takeover starts it or puts it back once the lease
 * runs out; it used to take it out of the dispatching set, leaving a QUEUED run in neither the queue nor the set.
 * Second, the takeover's recovery of a claimed run whose dispatcher went away: when it puts the run
 * back in its queue and another instance claims it at once, that claim stands (the run stays in the dispatching set
 * under the other instance's lease), so the other instance can start it or put it back. An earlier recovery took the
 * run out of the dispatching set once more after putting it back, and a claim made in between was left without its
 * entry: the run stayed QUEUED with nobody to dispatch it (ChaosEndToEndTest hung on such a run once in CI).
 */
@OrchestratorTest
class RunDispatcherRecoverTest {

    @Autowired
    RunPlanner planner;
    @Autowired
    RunStore store;
    @Autowired
    ReactiveStringRedisTemplate redis;
    @Autowired
    SessionRecorder recorder;
    @Autowired
    WorkerRegistry registry;
    @Autowired
    WorkerResilience resilience;
    @Autowired
    GpuWorkerClient client;
    @Autowired
    OrchestratorProperties properties;
    @Autowired
    DispatchTrigger trigger;

    private static final Duration T = Duration.ofSeconds(10);
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** Settings of a queue of the test's own (a fresh key prefix), which the context's dispatcher never sees. */
    static OrchestratorProperties.Queue ownQueue() {
        return new OrchestratorProperties.Queue("test-queue:" + UUID.randomUUID() + ":", 100, Duration.ofMillis(100),
                32, Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(10),
                "internal");
    }

    /** A queue of the test's own, where another instance claims every run the moment it is put back. */
    static final class ContendedQueue extends RunQueue {

        ContendedQueue(ReactiveStringRedisTemplate redis) {
            super(redis, ownQueue(), Clock.systemUTC());
        }

        @Override
        public Mono<Boolean> requeue(Claim claim, String instance) {
            return super.requeue(claim, instance)
                    .flatMap(back -> claim("other-instance", LEASE).thenReturn(back));
        }
    }

    @Test
    void aDispatchWithoutAnOutcomeLeavesTheRunClaimedForTheTakeover() {
        RunQueue queue = new RunQueue(redis, ownQueue(), Clock.systemUTC());
        RunPlanner noPlan = new RunPlanner(null, null, null) {
            @Override
            public Mono<Planned> plan(String runId, RunSettings settings, WorkerRegistration worker,
                                      boolean budgetChosen) {
                return Mono.empty();
            }
        };
        RunDispatcher dispatcher = new RunDispatcher(store, queue, noPlan, recorder, registry, resilience, client,
                properties, trigger, Clock.systemUTC());
        String runId = "no-outcome-" + UUID.randomUUID();
        assertThat(store.enqueue(queue.keys(), new RunStore.NewRun(runId, RunRequest.of("2+2"), Layout.SINGLE,
                List.of("Alice"), null, null, 7L, "alice", Instant.now()), 100).block(T).accepted()).isTrue();
        String worker = "no-outcome-worker-" + UUID.randomUUID();
        StubGpuWorker.announce(TestRedis.shared(), new WorkerRegistration(worker, "http://127.0.0.1:1", "stub-model",
                4, 0, 1L << 30, System.currentTimeMillis(), false));
        try {
            dispatcher.round().block(T);

            assertThat(queue.dispatching().collectList().block(T)).as("still claimed").containsExactly(runId);
            assertThat(store.dispatchable(runId).block(T).status()).isEqualTo(RunStatus.QUEUED);
        } finally {
            StubGpuWorker.unregister(TestRedis.shared(), worker);
        }
    }

    @Test
    void aRunPutBackByTheTakeoverStaysWithTheInstanceThatClaimsItNext() {
        ContendedQueue queue = new ContendedQueue(redis);
        RunDispatcher dispatcher = new RunDispatcher(store, queue, planner, recorder, registry, resilience, client,
                properties, trigger, Clock.systemUTC());
        String runId = "recover-" + UUID.randomUUID();
        assertThat(store.enqueue(queue.keys(), new RunStore.NewRun(runId, RunRequest.of("2+2"), Layout.SINGLE,
                List.of("Alice"), null, null, 7L, "alice", Instant.now()), 100).block(T).accepted()).isTrue();

        // Claimed by an instance that then went away (its lease gone), taken over by this one.
        assertThat(queue.claim("gone-instance", LEASE).block(T).runId()).isEqualTo(runId);
        redis.delete(RunKeys.owner(runId)).block(T);
        assertThat(store.takeOrphaned(runId, recorder.instanceId(), LEASE).block(T)).isTrue();

        dispatcher.recover(runId).block(T);

        assertThat(queue.dispatching().collectList().block(T)).as("the other instance's claim").containsExactly(runId);
        assertThat(redis.opsForValue().get(RunKeys.owner(runId)).block(T)).isEqualTo("other-instance");
        assertThat(store.dispatchable(runId).block(T).status()).isEqualTo(RunStatus.QUEUED);
        assertThat(queue.depth().block(T)).as("not in the queue twice").isZero();
    }
}
