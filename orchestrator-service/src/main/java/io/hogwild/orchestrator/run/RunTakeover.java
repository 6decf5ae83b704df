package io.hogwild.orchestrator.run;

import io.hogwild.contracts.run.RunStatus;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Gives the runs of an orchestrator instance that went away to this one (see API.md, "Several orchestrators, leases
 * and takeover"): every {@code queue.takeover-interval}, the RUNNING runs and the claimed ones whose lease is free are
 * taken (the lease script's "take when free" is the arbiter between instances) and recorded again from their last
 * recorded seq, or their dispatch finished. The first sweep runs at start, which is also how a restarted instance
 * picks up its own runs.
 */
@Component
public class RunTakeover {

    private static final Logger log = LoggerFactory.getLogger(RunTakeover.class);

    private final RunStore store;
    private final RunQueue queue;
    private final SessionRecorder recorder;
    private final RunDispatcher dispatcher;
    private final OrchestratorProperties properties;
    private final BackgroundLoop loop = new BackgroundLoop();

    public RunTakeover(RunStore store, RunQueue queue, SessionRecorder recorder, RunDispatcher dispatcher,
                       OrchestratorProperties properties) {
        this.store = store;
        this.queue = queue;
        this.recorder = recorder;
        this.dispatcher = dispatcher;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        loop.start(Flux.interval(Duration.ZERO, properties.queue().takeoverInterval()), Mono.defer(this::sweep), log,
                "takeover sweep");
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

    Mono<Void> sweep() {
        Duration lease = properties.events().ownerLease();
        String instance = recorder.instanceId();
        Mono<Void> running = store.idsWithStatus(RunStatus.RUNNING)
                .filter(runId -> !recorder.isRecording(runId) && !dispatcher.isDispatching(runId))
                .concatMap(runId -> store.takeOrphaned(runId, instance, lease)
                        .filter(Boolean::booleanValue)
                        .flatMap(taken -> recorder.resume(runId)))
                .then();
        Mono<Void> claimed = queue.dispatching()
                .filter(runId -> !dispatcher.isDispatching(runId))
                .concatMap(runId -> store.takeOrphaned(runId, instance, lease)
                        .filter(Boolean::booleanValue)
                        .flatMap(taken -> dispatcher.recover(runId)))
                .then();
        return running.then(claimed);
    }
}
