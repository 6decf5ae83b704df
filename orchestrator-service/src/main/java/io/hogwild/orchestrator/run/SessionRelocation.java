package io.hogwild.orchestrator.run;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunResumption;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.ResumeSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.run.RunKeys.Field;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerBusyException;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerRejectedException;
import io.hogwild.orchestrator.workers.WorkerResilience;
import io.hogwild.orchestrator.workers.WorkerTarget;
import io.hogwild.orchestrator.workers.WorkerUnavailableException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rebuilds a running run's session on another GPU worker when its own went away (see API.md, "Resume on another GPU
 * worker"): the plan with a {@code resume} part made from the run's log (every recorded token choice per worker, and
 * how many session events the log holds), sent to a worker with room that serves the model; then RUN_RESUMED and the
 * run's {@code resumed} list. When no worker has room it waits (up to {@code resume.wait-for-room}) rather than failing the run:
 * the survivors are usually full right after one of them died.
 */
@Component
public class SessionRelocation {

    private static final Logger log = LoggerFactory.getLogger(SessionRelocation.class);

    /** Where the run goes on: record the new session after {@code afterSeq}. */
    public record Relocated(WorkerTarget target, String sessionId, long afterSeq) {}

    /** Why a run cannot be resumed; the run then fails with this reason. */
    static final class NotResumable extends RuntimeException {
        NotResumable(String message) {
            super(message, null, false, false);
        }
    }

    /** No GPU worker took the session this time: wait and try again. */
    private static final class NoRoomYet extends RuntimeException {
        NoRoomYet(String message) {
            super(message, null, false, false);
        }
    }

    private final RunStore store;
    private final GpuWorkerClient client;
    private final WorkerRegistry registry;
    private final WorkerResilience resilience;
    private final OrchestratorProperties properties;
    private final JsonMapper json;

    public SessionRelocation(RunStore store, GpuWorkerClient client, WorkerRegistry registry,
                             WorkerResilience resilience, OrchestratorProperties properties, JsonMapper json) {
        this.store = store;
        this.client = client;
        this.registry = registry;
        this.resilience = resilience;
        this.properties = properties;
        this.json = json;
    }

    /**
     * Starts the run's session again on another GPU worker; empty when the run is no longer RUNNING (cancelled or
     * ended meanwhile). Errors with {@link NotResumable} when it cannot be done.
     *
     * @param renewLease renews this instance's lease on the run (errors when another instance holds it)
     */
    public Mono<Relocated> relocate(String runId, WorkerTarget from, String reason, Mono<Void> renewLease) {
        OrchestratorProperties.Resume config = properties.resume();
        return Mono.defer(() -> renewLease.then(attempt(runId, from, reason)))
                .retryWhen(Retry.fixedDelay(Math.max(0, config.waitForRoom().toMillis() / config.retryInterval().toMillis()),
                                config.retryInterval())
                        .filter(e -> e instanceof NoRoomYet)
                        .onRetryExhaustedThrow((spec, signal) -> new NotResumable(reason + "; no GPU worker had "
                                + "room to resume the run within " + config.waitForRoom() + " ("
                                + signal.failure().getMessage() + ")")));
    }

    private Mono<Relocated> attempt(String runId, WorkerTarget from, String reason) {
        return store.fields(runId).flatMap(f -> {
            if (!RunStatus.RUNNING.name().equals(f.get(Field.STATUS))) {
                return Mono.empty();
            }
            SessionPlan plan = f.containsKey(Field.PLAN) ? json.readValue(f.get(Field.PLAN), SessionPlan.class) : null;
            List<RunResumption> resumed = resumedOf(f);
            if (plan == null) {
                return Mono.error(new NotResumable(reason + "; the run has no plan to resume from"));
            }
            if (resumed.size() >= properties.resume().maxPerRun()) {
                return Mono.error(new NotResumable(reason + "; the run was resumed " + resumed.size()
                        + " times already (resume.max-per-run)"));
            }
            long recorded = Long.parseLong(f.getOrDefault(Field.LAST_SESSION_SEQ, "0"));
            return store.allEvents(runId).collectList().flatMap(events -> {
                Replayed replayed = replayed(events, recorded);
                String sessionId = runId + ":resumed-" + (resumed.size() + 1);
                SessionPlan resumePlan = plan.resumedAs(sessionId,
                        new ResumeSpec(recorded, replayed.chosenTokens()));
                return pick(f.get(Field.MODEL), from).flatMap(to -> store.setFields(runId, Map.of(
                                Field.GPU_WORKER, to.id(), Field.GPU_WORKER_URL, to.url(), Field.SESSION_ID, sessionId))
                        .then(client.createSession(to, resumePlan)
                                // An earlier attempt (of an instance that died since) created it already.
                                .onErrorResume(e -> e instanceof WorkerRejectedException rejected
                                        && rejected.workerStatus() == 409, e -> Mono.empty()))
                        .onErrorMap(e -> e instanceof WorkerBusyException || e instanceof WorkerUnavailableException,
                                e -> new NoRoomYet(e.getMessage()))
                        .onErrorMap(e -> !(e instanceof NoRoomYet), e -> new NotResumable(reason
                                + "; resuming on " + to.id() + " failed: " + e.getMessage()))
                        .then(recordResumed(runId, resumed, new RunResumption(from.id(), to.id(),
                                replayed.lastLockstep())))
                        .doOnSuccess(v -> log.info("run {} resumed on {} after {} recorded events (lockstep {}): {}",
                                runId, to.id(), recorded, replayed.lastLockstep(), reason))
                        .thenReturn(new Relocated(to, sessionId, recorded)));
            });
        });
    }

    /** What the log says the workers chose (each TOKENS event's ids, in order), and the last lockstep recorded. */
    record Replayed(Map<String, List<Integer>> chosenTokens, long lastLockstep) {}

    static Replayed replayed(List<RunEvent> events, long recorded) {
        Map<String, List<Integer>> chosen = new LinkedHashMap<>();
        long lastLockstep = 0;
        for (RunEvent e : events) {
            if (e.sessionSeq() == null || e.sessionSeq() > recorded) {
                continue;
            }
            if (e.lockstep() != null) {
                lastLockstep = Math.max(lastLockstep, e.lockstep());
            }
            if (e.data() instanceof EventData.Tokens t) {
                chosen.computeIfAbsent(t.worker(), w -> new ArrayList<>()).addAll(t.tokenIds());
            }
        }
        return new Replayed(chosen, lastLockstep);
    }

    /** A live GPU worker for the model with a free slot, not draining, circuit not open; another than the lost one. */
    private Mono<WorkerTarget> pick(String model, WorkerTarget from) {
        return registry.live().collectList().flatMap(all -> all.stream()
                .filter(w -> model == null || model.equals(w.modelId()))
                .filter(w -> !w.draining() && w.maxSessions() - w.activeSessions() > 0)
                .filter(w -> resilience.circuitBreaker(w.workerId()).getState() != CircuitBreaker.State.OPEN)
                // The lost worker may be back (restarted under its id) without the session: only as a last resort.
                .max(Comparator.<WorkerRegistration>comparingInt(w -> w.workerId().equals(from.id()) ? 0 : 1)
                        .thenComparingInt(w -> w.maxSessions() - w.activeSessions()))
                .map(w -> Mono.just(new WorkerTarget(w.workerId(), w.url())))
                .orElseGet(() -> Mono.error(new NoRoomYet("no GPU worker for the run's model has a free slot"))));
    }

    private Mono<Void> recordResumed(String runId, List<RunResumption> before, RunResumption resumption) {
        List<RunResumption> all = new ArrayList<>(before);
        all.add(resumption);
        return store.setFields(runId, Map.of(Field.RESUMED, json.writeValueAsString(all)))
                .then(store.append(runId, new EventData.RunResumed(resumption.fromWorker(), resumption.toWorker(),
                        resumption.atLockstep())))
                .then();
    }

    private List<RunResumption> resumedOf(Map<String, String> f) {
        return f.containsKey(Field.RESUMED) ? List.of(json.readValue(f.get(Field.RESUMED), RunResumption[].class))
                : List.of();
    }
}
