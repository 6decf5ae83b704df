package io.hogwild.orchestrator.run;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.run.RunKeys.Field;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerTarget;
import io.hogwild.orchestrator.workers.WorkerUnavailableException;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows a running session's event stream on its GPU worker and records every event in the run's log as it arrives.
 *
 * <p>A broken stream is resumed after the last recorded seq a few times (the GPU worker replays from there, and
 * repeats are dropped by seq); when the worker stays unreachable, or its heartbeat disappears from the registry, the
 * run fails with the reason recorded and everything recorded before stays. A lease in Redis makes one orchestrator
 * instance the recorder of a run; after a restart, RUNNING runs are picked up again.
 */
@Component
public class SessionRecorder {

    private static final Logger log = LoggerFactory.getLogger(SessionRecorder.class);

    private final RunStore store;
    private final GpuWorkerClient client;
    private final WorkerRegistry registry;
    private final OrchestratorProperties properties;
    private final Clock clock;
    private final JsonMapper json;
    private final String instanceId = UUID.randomUUID().toString();
    private final Map<String, Disposable> active = new ConcurrentHashMap<>();

    public SessionRecorder(RunStore store, GpuWorkerClient client, WorkerRegistry registry,
                           OrchestratorProperties properties, Clock clock, JsonMapper json) {
        this.store = store;
        this.client = client;
        this.registry = registry;
        this.properties = properties;
        this.clock = clock;
        this.json = json;
    }

    /** Starts recording a run's session (no-op if this instance already does, or another instance owns it). */
    public Mono<Void> attach(String runId, WorkerTarget target, String sessionId, long afterSeq) {
        if (active.containsKey(runId)) {
            return Mono.empty();
        }
        return store.acquireOwnership(runId, instanceId, properties.events().ownerLease()).doOnNext(owned -> {
            if (owned && !active.containsKey(runId)) {
                Disposable subscription = record(runId, target, sessionId, afterSeq)
                        .doFinally(signal -> {
                            active.remove(runId);
                            store.releaseOwnership(runId, instanceId).subscribe(null, e -> { });
                        })
                        .subscribe(null, e -> log.error("recording run {} stopped: {}", runId, e.toString()));
                active.put(runId, subscription);
            }
        }).then();
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
        AtomicLong lastSeq = new AtomicLong(afterSeq);
        AtomicReference<String> lastError = new AtomicReference<>();
        OrchestratorProperties.Resilience resilience = properties.resilience();

        Mono<Void> ingest = Flux.defer(() -> client.events(target, sessionId, lastSeq.get())
                        // A stream that ends without SESSION_FINISHED was cut: resume it like a broken one.
                        .concatWith(Mono.error(() -> new WorkerUnavailableException("GPU worker " + target.id()
                                + " closed the event stream of session " + sessionId + " before it finished",
                                null, null))))
                .takeUntil(event -> event.data() instanceof EventData.SessionFinished)
                .doOnNext(event -> lastSeq.accumulateAndGet(event.seq(), Math::max))
                .retryWhen(Retry.backoff(resilience.streamReconnects(), Duration.ofMillis(250))
                        .maxBackoff(Duration.ofSeconds(2))
                        .filter(WorkerUnavailableException.class::isInstance)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .concatMap(event -> store.appendSessionEvent(runId, event)
                        .then(onEvent(runId, event, lastError)))
                .then();

        Duration interval = properties.registry().heartbeatCheckInterval();
        // Ticks that arrive while a check is still running are dropped: under load a Redis round trip can outlast
        // the interval, and an un-requested interval tick would otherwise fail the run.
        Mono<Void> watchdog = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(tick -> store.acquireOwnership(runId, instanceId, properties.events().ownerLease())
                        .then(registry.find(target.id()).hasElement()))
                .filter(alive -> !alive)
                .next()
                .flatMap(gone -> Mono.error(new WorkerUnavailableException("GPU worker " + target.id()
                        + " stopped sending heartbeats during the run", null, null)));

        return Mono.firstWithSignal(ingest, watchdog)
                .onErrorResume(e -> {
                    String reason = e.getMessage() != null ? e.getMessage() : e.toString();
                    return fail(runId, reason)
                            // Best effort: a worker that is still alive should not keep computing for nobody.
                            .then(client.cancel(target, sessionId).onErrorResume(x -> Mono.empty()));
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
        return end(runId, target, fields);
    }

    /** Fails an active run (no effect on a run that already ended). */
    public Mono<Void> fail(String runId, String reason) {
        Map<String, String> fields = new HashMap<>();
        fields.put(Field.FINISHED_AT, Long.toString(clock.millis()));
        fields.put(Field.FINISH_REASON, "error");
        fields.put(Field.FAILURE_REASON, reason);
        return end(runId, RunStatus.FAILED, fields);
    }

    /** Moves an active run to a final status and, if it moved, closes its log with RUN_ENDED. */
    public Mono<Void> end(String runId, RunStatus status, Map<String, String> fields) {
        return store.transition(runId, RunStates.ACTIVE, status, fields).flatMap(moved -> moved
                ? store.append(runId, new EventData.RunEnded(status, fields.get(Field.FINISH_REASON),
                        fields.get(Field.FAILURE_REASON))).then()
                : Mono.empty());
    }

    /** After a restart, resumes recording the runs that were RUNNING (those whose lease expired or was ours). */
    @EventListener(ApplicationReadyEvent.class)
    public void resumeRunning() {
        store.idsWithStatus(RunStatus.RUNNING)
                .concatMap(runId -> store.fields(runId).flatMap(f -> {
                    String url = f.get(Field.GPU_WORKER_URL);
                    String session = f.get(Field.SESSION_ID);
                    if (url == null || session == null) {
                        return fail(runId, "the orchestrator restarted and the run has no session to resume");
                    }
                    long after = Long.parseLong(f.getOrDefault(Field.LAST_SESSION_SEQ, "0"));
                    log.info("resuming run {} on {} after seq {}", runId, f.get(Field.GPU_WORKER), after);
                    return attach(runId, new WorkerTarget(f.get(Field.GPU_WORKER), url), session, after);
                }))
                .onErrorResume(e -> {
                    log.warn("could not resume running runs: {}", e.toString());
                    return Mono.empty();
                })
                .subscribe();
    }

    /** Stops following sessions; their runs stay RUNNING in Redis, for the next start (or another instance). */
    @PreDestroy
    public void stop() {
        List.copyOf(active.keySet()).forEach(runId -> {
            Disposable d = active.remove(runId);
            if (d != null) {
                d.dispose();
            }
        });
    }
}
