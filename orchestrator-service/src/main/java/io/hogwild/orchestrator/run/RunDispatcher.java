package io.hogwild.orchestrator.run;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.run.RunKeys.Field;
import io.hogwild.orchestrator.run.RunQueue.Claim;
import io.hogwild.orchestrator.run.RunStore.Dispatchable;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerBusyException;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerRejectedException;
import io.hogwild.orchestrator.workers.WorkerResilience;
import io.hogwild.orchestrator.workers.WorkerTarget;
import io.hogwild.orchestrator.workers.WorkerUnavailableException;
import io.hogwild.web.ApiException;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hands queued runs to GPU workers as slots free up (see API.md, "Dispatch"). Every orchestrator runs one; they share
 * the queue in Redis, and the claim script makes sure each run is claimed by one of them. A round claims runs while a
 * worker has a free slot as far as this instance can tell: the slots its last heartbeat reported free, less the
 * sessions this instance started on it since. A worker that still answers 503 is full until its next heartbeat, and
 * the run goes back to the head of its queue: a full worker means waiting, never an error to the client.
 */
@Component
public class RunDispatcher {

    private static final Logger log = LoggerFactory.getLogger(RunDispatcher.class);

    private final RunStore store;
    private final RunQueue queue;
    private final RunPlanner planner;
    private final SessionRecorder recorder;
    private final WorkerRegistry registry;
    private final WorkerResilience resilience;
    private final GpuWorkerClient client;
    private final OrchestratorProperties properties;
    private final DispatchTrigger trigger;
    private final Clock clock;
    /** Per GPU worker: when this instance started sessions on it (until a heartbeat counts them). */
    private final Map<String, ConcurrentLinkedDeque<Long>> started = new ConcurrentHashMap<>();
    /** Per GPU worker: when it last answered 503 (full until a later heartbeat). */
    private final Map<String, Long> fullAt = new ConcurrentHashMap<>();
    /** Runs this instance is dispatching right now (the takeover leaves them alone). */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final BackgroundLoop loop = new BackgroundLoop();

    public RunDispatcher(RunStore store, RunQueue queue, RunPlanner planner, SessionRecorder recorder,
                         WorkerRegistry registry, WorkerResilience resilience, GpuWorkerClient client,
                         OrchestratorProperties properties, DispatchTrigger trigger, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.planner = planner;
        this.recorder = recorder;
        this.registry = registry;
        this.resilience = resilience;
        this.client = client;
        this.properties = properties;
        this.trigger = trigger;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        loop.start(Flux.merge(Flux.interval(Duration.ZERO, properties.queue().dispatchInterval()).map(tick -> true),
                trigger.signals()), Mono.defer(this::round), log, "dispatch round");
    }

    /**
     * Stops as the context starts closing, before its lifecycle beans (the Redis connection factory among them) stop:
     * otherwise the loop would keep running into a stopped connection until this bean is destroyed.
     */
    @EventListener(ContextClosedEvent.class)
    @PreDestroy
    public void stop() {
        loop.stop();
    }

    /** Whether this instance is dispatching the run right now. */
    public boolean isDispatching(String runId) {
        return inFlight.contains(runId);
    }

    Mono<Void> round() {
        return next(0, new HashSet<>());
    }

    private Mono<Void> next(int claimed, Set<String> unreachable) {
        if (claimed >= properties.queue().maxClaimsPerRound()) {
            return Mono.empty();
        }
        return withRoom(unreachable)
                .filter(workers -> !workers.isEmpty())
                .flatMap(workers -> queue.claim(recorder.instanceId(), properties.events().ownerLease())
                        .flatMap(claim -> dispatch(claim, workers, unreachable)))
                .flatMap(goOn -> goOn ? next(claimed + 1, unreachable) : Mono.empty());
    }

    /** Registered workers with a free slot as far as this instance can tell, not draining, circuit not open. */
    private Mono<List<WorkerRegistration>> withRoom(Set<String> unreachable) {
        return registry.live().collectList().map(all -> all.stream()
                .filter(w -> !unreachable.contains(w.workerId()))
                .filter(w -> !w.draining())
                .filter(w -> resilience.circuitBreaker(w.workerId()).getState() != CircuitBreaker.State.OPEN)
                .filter(w -> fullAt.getOrDefault(w.workerId(), Long.MIN_VALUE) < w.heartbeatAtMillis())
                .filter(w -> freeSlots(w) > 0)
                .toList());
    }

    private int freeSlots(WorkerRegistration worker) {
        ConcurrentLinkedDeque<Long> mine = started.get(worker.workerId());
        int since = 0;
        if (mine != null) {
            // Older starts are in the heartbeat's count (or long over): forget them.
            mine.removeIf(at -> at < worker.heartbeatAtMillis() - Duration.ofMinutes(1).toMillis());
            since = (int) mine.stream().filter(at -> at >= worker.heartbeatAtMillis()).count();
        }
        return worker.maxSessions() - worker.activeSessions() - since;
    }

    /** Starts one claimed run; true when the round may go on claiming. */
    private Mono<Boolean> dispatch(Claim claim, List<WorkerRegistration> workers, Set<String> unreachable) {
        String runId = claim.runId();
        inFlight.add(runId);
        // "The run is gone" is told apart before any branch runs, not by an empty result after them: a settle after
        // a branch that completed empty would take a run out of the dispatching set while it is still claimed (or
        // put back and claimed by another instance meanwhile, as recover() once did), leaving it QUEUED with nobody
        // to dispatch it. A branch without an outcome leaves the claim to the takeover once its lease runs out.
        return store.dispatchable(runId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(found -> found.isEmpty()
                        ? queue.settle(runId).thenReturn(true)
                        : dispatchClaimed(claim, found.get(), workers, unreachable))
                .doFinally(signal -> inFlight.remove(runId));
    }

    /** {@link #dispatch} for a run that exists: settled when no longer QUEUED, started, or put back. */
    private Mono<Boolean> dispatchClaimed(Claim claim, Dispatchable run, List<WorkerRegistration> workers,
                                          Set<String> unreachable) {
        String runId = claim.runId();
        if (run.status() != RunStatus.QUEUED) {
            return queue.settle(runId).then(store.releaseOwnership(runId, recorder.instanceId())).thenReturn(true);
        }
        WorkerRegistration worker = workers.stream()
                .filter(w -> run.model() == null || run.model().equals(w.modelId()))
                .max(Comparator.<WorkerRegistration>comparingInt(this::freeSlots)
                        .thenComparingLong(WorkerRegistration::cacheBytesFree))
                .orElse(null);
        if (worker == null) {
            // No free worker serves this run's model: it keeps its place and its client its turn.
            return queue.requeue(claim, recorder.instanceId()).thenReturn(false);
        }
        return startOn(claim, run, worker).onErrorResume(e -> failed(claim, worker, e, unreachable));
    }

    private Mono<Boolean> startOn(Claim claim, Dispatchable run, WorkerRegistration worker) {
        String runId = claim.runId();
        WorkerTarget target = new WorkerTarget(worker.workerId(), worker.url());
        Mono<SessionPlan> plan = run.plan() != null
                ? Mono.just(run.plan())
                : planner.plan(runId, properties.defaults().resolve(run.request(), run.seed()), worker,
                        run.request().maxTokensPerWorker() != null)
                        .flatMap(planned -> store.setPlan(runId, planned.model(), planned.plan())
                                .thenReturn(planned.plan()));
        return plan.flatMap(p -> store.setFields(runId, Map.of(Field.GPU_WORKER, worker.workerId(),
                                Field.GPU_WORKER_URL, worker.url(), Field.SESSION_ID, p.sessionId()))
                        // Renewed right before the one slow call, so the claim outlives it.
                        .then(store.acquireOwnership(runId, recorder.instanceId(), properties.events().ownerLease()))
                        .flatMap(owned -> !owned
                                ? Mono.just(true) // another instance took the claim over: it is theirs now
                                : client.createSession(target, p)
                                        .map(session -> session.sessionId() != null ? session.sessionId()
                                                : p.sessionId())
                                        .flatMap(sessionId -> started(runId, target, sessionId))
                                        .thenReturn(true)));
    }

    private Mono<Boolean> failed(Claim claim, WorkerRegistration worker, Throwable e, Set<String> unreachable) {
        String runId = claim.runId();
        String instance = recorder.instanceId();
        if (e instanceof WorkerBusyException) {
            fullAt.put(worker.workerId(), clock.millis());
            return queue.requeue(claim, instance).thenReturn(true);
        }
        if (e instanceof WorkerRejectedException rejected && rejected.workerStatus() == 409) {
            // The session exists already (an earlier attempt got through): it is this run's.
            return store.dispatchable(runId).flatMap(run -> started(runId,
                    new WorkerTarget(worker.workerId(), worker.url()), run.sessionId())).thenReturn(true);
        }
        if (e instanceof WorkerUnavailableException) {
            unreachable.add(worker.workerId());
            return queue.requeue(claim, instance).thenReturn(true);
        }
        if (e instanceof ApiException api && (api.status().value() == 400 || e instanceof WorkerRejectedException)) {
            String reason = e instanceof WorkerRejectedException ? "GPU worker " + worker.workerId()
                    + " rejected the run: " + e.getMessage() : e.getMessage();
            return recorder.fail(runId, reason).then(queue.settle(runId))
                    .then(store.releaseOwnership(runId, instance)).thenReturn(true);
        }
        if (RedisOutages.isOutage(e)) {
            // The claim stays; once its lease expires the takeover puts it back or starts it.
            return Mono.error(e);
        }
        log.warn("dispatching run {} to {} failed: {}", runId, worker.workerId(), e.toString());
        return queue.requeue(claim, instance).thenReturn(false);
    }

    /**
     * The GPU worker accepted the session: RUNNING with RUN_STARTED in one step, then record it. When the run was
     * cancelled meanwhile, the new session is stopped; when another instance started it already, nothing is done.
     */
    Mono<Void> started(String runId, WorkerTarget target, String sessionId) {
        Map<String, String> fields = Map.of(Field.SESSION_ID, sessionId, Field.GPU_WORKER, target.id(),
                Field.GPU_WORKER_URL, target.url(), Field.STARTED_AT, Long.toString(clock.millis()));
        return store.move(runId, List.of(RunStatus.QUEUED), RunStatus.RUNNING, fields,
                        new EventData.RunStarted(target.id(), sessionId))
                .flatMap(move -> {
                    if (move.moved()) {
                        started.computeIfAbsent(target.id(), id -> new ConcurrentLinkedDeque<>())
                                .add(clock.millis());
                        return queue.settle(runId).then(recorder.attach(runId, target, sessionId, 0));
                    }
                    if (move.current() == RunStatus.RUNNING) {
                        return queue.settle(runId);
                    }
                    return queue.settle(runId)
                            .then(client.cancel(target, sessionId).onErrorResume(x -> Mono.empty()))
                            .then(store.releaseOwnership(runId, recorder.instanceId()));
                });
    }

    /**
     * Finishes the dispatch of a claimed run whose claimer went away (this instance holds its lease now): started if
     * its session exists on the intended worker, else back to the head of its queue.
     */
    Mono<Void> recover(String runId) {
        if (!inFlight.add(runId)) {
            return Mono.empty();
        }
        String instance = recorder.instanceId();
        // Every branch completes empty (Mono<Void>), so "the run is gone" is told apart by the value emitted after it:
        // a settle after a branch would take the run out of the dispatching set again even when, put back in the
        // queue, it had meanwhile been claimed by another instance, leaving that claim without its entry (a QUEUED
        // run nobody dispatches, seen in ChaosEndToEndTest).
        return store.dispatchable(runId)
                .flatMap(run -> recoverClaimed(runId, run, instance).thenReturn(true))
                .switchIfEmpty(Mono.defer(() -> queue.settle(runId).thenReturn(true)))
                .then()
                .doFinally(signal -> inFlight.remove(runId));
    }

    /** {@link #recover} for a run that exists: settled when no longer QUEUED, started or put back otherwise. */
    private Mono<Void> recoverClaimed(String runId, Dispatchable run, String instance) {
        if (run.status() != RunStatus.QUEUED) {
            return queue.settle(runId).then(store.releaseOwnership(runId, instance));
        }
        Claim claim = new Claim(runId, run.client() != null ? run.client() : properties.queue().defaultClient());
        Mono<Void> requeue = queue.requeue(claim, instance).doOnNext(back -> {
            if (back) {
                log.info("run {} went back to the head of its queue after its dispatcher left", runId);
                trigger.poke();
            }
        }).then();
        if (run.sessionId() == null || run.gpuWorkerUrl() == null) {
            return requeue;
        }
        WorkerTarget target = new WorkerTarget(run.gpuWorker(), run.gpuWorkerUrl());
        return client.session(target, run.sessionId())
                .flatMap(session -> started(runId, target, run.sessionId()))
                .onErrorResume(e -> !RedisOutages.isOutage(e), e -> requeue);
    }
}
