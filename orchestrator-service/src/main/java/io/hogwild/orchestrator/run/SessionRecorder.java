package io.hogwild.orchestrator.run;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.run.RunKeys.Field;
import io.hogwild.orchestrator.run.RunStore.Recorded;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerRejectedException;
import io.hogwild.orchestrator.workers.WorkerTarget;
import io.hogwild.orchestrator.workers.WorkerUnavailableException;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows a running session's event stream on its GPU worker and records every event in the run's log as it arrives.
 *
 * <p>Recording is idempotent and in order (an event is appended only as the last recorded seq + 1), so a broken
 * stream is simply reopened after the last <em>recorded</em> seq, and two instances recording the same run for a
 * moment cannot duplicate or skip an event. When the worker stays unreachable, its registration stays missing for
 * longer than the grace period, or it answers that it has no such session, the run's session is rebuilt on another
 * worker from the log ({@link SessionRelocation}) and recorded there; only a run that cannot be resumed fails, with the
 * reason recorded and everything recorded before kept. Redis
 * being away pauses recording; it goes on when Redis is back. A lease in Redis makes one orchestrator instance the
 * recorder of a run; {@link RunTakeover} gives the runs of an instance that died to another.
 */
@Component
public class SessionRecorder {

    private static final Logger log = LoggerFactory.getLogger(SessionRecorder.class);

    /** This instance lost the run's lease to another: stop recording, without touching the run. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost(String runId) {
            super("the lease on run " + runId + " is held by another orchestrator instance", null, false, false);
        }
    }

    /** The GPU worker's stream skipped a seq we have not recorded: reopen it after the last recorded one. */
    private static final class LogGap extends RuntimeException {
        LogGap(String runId, long last) {
            super("run " + runId + ": an event after seq " + last + " arrived out of order", null, false, false);
        }
    }

    private final RunStore store;
    private final GpuWorkerClient client;
    private final WorkerRegistry registry;
    private final OrchestratorProperties properties;
    private final DispatchTrigger dispatch;
    private final SessionRelocation relocation;
    private final Clock clock;
    private final JsonMapper json;
    private final String instanceId = UUID.randomUUID().toString();
    private final Map<String, Disposable> active = new ConcurrentHashMap<>();

    public SessionRecorder(RunStore store, GpuWorkerClient client, WorkerRegistry registry,
                           OrchestratorProperties properties, DispatchTrigger dispatch,
                           SessionRelocation relocation, Clock clock, JsonMapper json) {
        this.store = store;
        this.client = client;
        this.registry = registry;
        this.properties = properties;
        this.dispatch = dispatch;
        this.relocation = relocation;
        this.clock = clock;
        this.json = json;
    }

    /** This instance's id: the value of the leases it holds. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Starts recording a run's session after {@code afterSeq} (no-op if this instance already does, or another instance
     * holds the run's lease).
     */
    public Mono<Void> attach(String runId, WorkerTarget target, String sessionId, long afterSeq) {
        // The slot is taken before anything else, so two attaches of one run (dispatch and takeover) never both record.
        Disposable.Swap slot = Disposables.swap();
        if (active.putIfAbsent(runId, slot) != null) {
            return Mono.empty();
        }
        return store.acquireOwnership(runId, instanceId, properties.events().ownerLease())
                .doOnNext(owned -> {
                    if (!owned) {
                        active.remove(runId, slot);
                        return;
                    }
                    slot.update(record(runId, target, sessionId, afterSeq)
                            .doFinally(signal -> {
                                active.remove(runId, slot);
                                store.releaseOwnership(runId, instanceId).subscribe(null, e -> { });
                                dispatch.poke();
                            })
                            .subscribe(null, e -> log.error("recording run {} stopped: {}", runId, e.toString())));
                })
                .doOnError(e -> active.remove(runId, slot))
                .then();
    }

    /** Whether this instance is recording the run right now. */
    public boolean isRecording(String runId) {
        return active.containsKey(runId);
    }

    /** Stops recording (used when a run is ended here, e.g. cancelled while its worker is unreachable). */
    public void detach(String runId) {
        Disposable subscription = active.remove(runId);
        if (subscription != null) {
            subscription.dispose();
        }
    }

    private Mono<Void> record(String runId, WorkerTarget target, String sessionId, long afterSeq) {
        AtomicLong lastRecorded = new AtomicLong(afterSeq);
        AtomicReference<String> lastError = new AtomicReference<>();
        OrchestratorProperties.Resilience resilience = properties.resilience();

        Mono<Void> ingest = Flux.defer(() -> client.events(target, sessionId, lastRecorded.get())
                        // A stream that ends without SESSION_FINISHED was cut: resume it like a broken one.
                        .concatWith(Mono.error(() -> new WorkerUnavailableException("GPU worker " + target.id()
                                + " closed the event stream of session " + sessionId + " before it finished",
                                null, null))))
                // The worker's last event ends the stream here, before the "cut" error above could follow it
                // (concatMap would cancel the recording of that last event to pass the error on).
                .takeUntil(event -> event.data() instanceof EventData.SessionFinished)
                .concatMap(event -> recordOne(runId, event, lastRecorded, lastError))
                .retryWhen(Retry.backoff(resilience.streamReconnects(), Duration.ofMillis(250))
                        .maxBackoff(Duration.ofSeconds(2))
                        // Progress between failures resets the count: only a worker that stays away fails the run.
                        .transientErrors(true)
                        .filter(e -> e instanceof WorkerUnavailableException || e instanceof LogGap)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .then();

        Duration interval = properties.registry().heartbeatCheckInterval();
        AtomicLong missingSince = new AtomicLong(-1);
        // Ticks that arrive while a check is still running are dropped: under load a Redis round trip can outlast
        // the interval, and an un-requested interval tick would otherwise fail the run.
        Mono<Void> watchdog = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(tick -> workerSeen(runId, target))
                .filter(seen -> {
                    if (seen.isEmpty()) {
                        return false; // Redis did not answer: nothing is known about the worker
                    }
                    if (seen.get()) {
                        missingSince.set(-1);
                        return false;
                    }
                    long now = clock.millis();
                    missingSince.compareAndSet(-1, now);
                    return now - missingSince.get() > properties.registry().heartbeatGrace().toMillis();
                })
                .next()
                .flatMap(gone -> Mono.error(new WorkerUnavailableException("GPU worker " + target.id()
                        + " stopped sending heartbeats during the run", null, null)));

        return Mono.firstWithSignal(ingest, watchdog)
                .onErrorResume(LeaseLost.class, e -> {
                    log.info("{}; this instance stops recording it", e.getMessage());
                    return Mono.empty();
                })
                .onErrorResume(e -> {
                    String reason = e.getMessage() != null ? e.getMessage() : e.toString();
                    // Best effort: a worker that is still alive should not keep computing for nobody.
                    Mono<Void> cancelOld = client.cancel(target, sessionId).onErrorResume(x -> Mono.empty());
                    if (!workerLost(e)) {
                        return fail(runId, reason).then(cancelOld);
                    }
                    cancelOld.subscribe();
                    return relocation.relocate(runId, target, reason, renewLease(runId))
                            .flatMap(moved -> record(runId, moved.target(), moved.sessionId(), moved.afterSeq()))
                            .onErrorResume(LeaseLost.class, lost -> Mono.empty())
                            .onErrorResume(notResumable -> fail(runId, notResumable.getMessage()));
                });
    }

    /**
     * The session's GPU worker went away (unreachable, no heartbeat, or back without the session): the run is resumed
     * on another one rather than failed.
     */
    private static boolean workerLost(Throwable e) {
        return e instanceof WorkerUnavailableException
                || e instanceof WorkerRejectedException rejected && rejected.workerStatus() == 404;
    }

    private Mono<Void> renewLease(String runId) {
        return store.acquireOwnership(runId, instanceId, properties.events().ownerLease())
                .flatMap(owned -> owned ? Mono.<Void>empty() : Mono.error(new LeaseLost(runId)));
    }

    /**
     * Renews the lease (errors with {@link LeaseLost} when another instance holds it) and says whether the worker is
     * registered; empty when Redis could not be asked.
     */
    private Mono<Optional<Boolean>> workerSeen(String runId, WorkerTarget target) {
        return store.acquireOwnership(runId, instanceId, properties.events().ownerLease())
                .flatMap(owned -> owned
                        ? registry.find(target.id()).hasElement().map(Optional::of)
                        : Mono.<Optional<Boolean>>error(new LeaseLost(runId)))
                .onErrorResume(RedisOutages::isOutage, e -> Mono.just(Optional.empty()));
    }

    /**
     * Records one event and passes it on when it is (or was already) in the log; a gap fails the stream so that it is
     * reopened after the last recorded seq.
     */
    private Mono<SessionEvent> recordOne(String runId, SessionEvent event, AtomicLong lastRecorded,
                                         AtomicReference<String> lastError) {
        return store.appendSessionEvent(runId, event)
                .retryWhen(RedisOutages.waitOut(log, "recording run " + runId, Duration.ofSeconds(2)))
                .flatMap(result -> {
                    if (result instanceof Recorded.Appended) {
                        lastRecorded.set(event.seq());
                        return onEvent(runId, event, lastError).thenReturn(event);
                    }
                    if (result instanceof Recorded.Duplicate duplicate) {
                        lastRecorded.accumulateAndGet(duplicate.lastSeq(), Math::max);
                        return onEvent(runId, event, lastError).thenReturn(event);
                    }
                    if (result instanceof Recorded.Gap gap) {
                        lastRecorded.set(gap.lastSeq());
                        return Mono.error(new LogGap(runId, gap.lastSeq()));
                    }
                    return Mono.error(new IllegalStateException("run " + runId + " is not in Redis"));
                });
    }

    /** Applies lifecycle consequences of one recorded event. */
    private Mono<Void> onEvent(String runId, SessionEvent event, AtomicReference<String> lastError) {
        if (event.data() instanceof EventData.Error error) {
            lastError.set(error.message());
            return Mono.empty();
        }
        if (!(event.data() instanceof EventData.SessionFinished finished)) {
            return Mono.empty();
        }
        String reason = finished.reason();
        RunStatus target;
        if ("cancelled".equals(reason)) {
            target = RunStatus.CANCELLED;
        } else if ("error".equals(reason) || lastError.get() != null) {
            target = RunStatus.FAILED;
        } else {
            target = RunStatus.FINISHED;
        }
        Map<String, String> fields = new HashMap<>();
        fields.put(Field.FINISHED_AT, Long.toString(clock.millis()));
        fields.put(Field.FINISH_REASON, reason);
        if (finished.answer() != null) {
            fields.put(Field.FINAL_ANSWER, finished.answer());
        }
        if (finished.answers() != null) {
            fields.put(Field.ANSWERS, json.writeValueAsString(finished.answers()));
            fields.put(Field.ANSWERS_DISAGREE, Boolean.toString(finished.answersDisagree()));
        }
        if (target == RunStatus.FAILED) {
            fields.put(Field.FAILURE_REASON, "GPU worker reported: "
                    + Objects.requireNonNullElse(lastError.get(), "session ended with an error"));
        }
        return end(runId, target, fields)
                .retryWhen(RedisOutages.waitOut(log, "ending run " + runId, Duration.ofSeconds(2)));
    }

    /** Fails an active run (no effect on a run that already ended). */
    public Mono<Void> fail(String runId, String reason) {
        Map<String, String> fields = new HashMap<>();
        fields.put(Field.FINISHED_AT, Long.toString(clock.millis()));
        fields.put(Field.FINISH_REASON, "error");
        fields.put(Field.FAILURE_REASON, reason);
        return end(runId, RunStatus.FAILED, fields);
    }

    /** Moves an active run to a final status and, in the same step, closes its log with RUN_ENDED. */
    public Mono<Void> end(String runId, RunStatus status, Map<String, String> fields) {
        return store.move(runId, RunStates.ACTIVE, status, fields, new EventData.RunEnded(status,
                fields.get(Field.FINISH_REASON), fields.get(Field.FAILURE_REASON))).then();
    }

    /**
     * Picks up a RUNNING run whose lease this instance just took (its recorder died or stopped): records its session
     * again from the last recorded seq; a run without a session to follow fails.
     */
    public Mono<Void> resume(String runId) {
        return store.fields(runId).flatMap(f -> {
            if (!RunStatus.RUNNING.name().equals(f.get(Field.STATUS))) {
                return store.releaseOwnership(runId, instanceId);
            }
            String url = f.get(Field.GPU_WORKER_URL);
            String session = f.get(Field.SESSION_ID);
            if (url == null || session == null) {
                return fail(runId, "the orchestrator recording the run stopped and the run has no session to resume");
            }
            long after = Long.parseLong(f.getOrDefault(Field.LAST_SESSION_SEQ, "0"));
            log.info("taking over run {} on {} after seq {}", runId, f.get(Field.GPU_WORKER), after);
            return attach(runId, new WorkerTarget(f.get(Field.GPU_WORKER), url), session, after);
        });
    }

    /** Stops following sessions; their runs stay RUNNING in Redis and their leases are released for the others. */
    @PreDestroy
    public void stop() {
        List.copyOf(active.keySet()).forEach(this::detach);
    }
}
