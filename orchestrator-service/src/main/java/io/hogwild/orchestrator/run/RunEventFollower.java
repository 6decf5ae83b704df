package io.hogwild.orchestrator.run;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Replays a run's recorded events and then follows new ones until the run ends. It reads the Redis stream (polling
 * with an exclusive cursor) rather than listening to the recorder in memory, so a follower on any orchestrator
 * instance sees the same log, and a client that reconnects with its last id misses nothing and sees nothing twice.
 * While the run waits in the queue, a QUEUE_POSITION event (not part of the log, without id) is sent whenever its
 * place changes.
 */
@Component
public class RunEventFollower {

    private final RunStore store;
    private final RunQueue queue;
    private final OrchestratorProperties.Events config;

    public RunEventFollower(RunStore store, RunQueue queue, OrchestratorProperties properties) {
        this.store = store;
        this.queue = queue;
        this.config = properties.events();
    }

    /** Events after {@code afterId} (null = from the start) until RUN_ENDED. */
    public Flux<RunEvent> follow(String runId, String afterId) {
        Cursor cursor = new Cursor(afterId);
        return Mono.defer(() -> poll(runId, cursor))
                .repeat(() -> !cursor.done)
                .concatMapIterable(batch -> batch);
    }

    private static final class Cursor {
        String lastId;
        boolean done;
        int idlePollsAfterFinal;
        Integer lastPosition;

        Cursor(String lastId) {
            this.lastId = lastId;
        }
    }

    private Mono<List<RunEvent>> poll(String runId, Cursor cursor) {
        return store.events(runId, cursor.lastId, config.batchSize()).collectList().flatMap(batch -> {
            if (!batch.isEmpty()) {
                cursor.lastId = batch.get(batch.size() - 1).id();
                if (batch.stream().anyMatch(e -> e.data() instanceof EventData.RunEnded)) {
                    cursor.done = true;
                }
                return Mono.just(batch);
            }
            // Nothing new: a final run whose RUN_ENDED we have seen is over; a final run without one (recorded by an
            // older or crashed instance) gets one more look, then the stream ends rather than hanging.
            return store.view(runId).map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(view -> {
                if (view.map(v -> RunStates.isFinal(v.status())).orElse(true)) {
                    if (++cursor.idlePollsAfterFinal > 1) {
                        cursor.done = true;
                        return Mono.just(List.<RunEvent>of());
                    }
                    return idle();
                }
                return positionChange(view.get(), cursor).switchIfEmpty(idle());
            });
        });
    }

    private Mono<List<RunEvent>> idle() {
        return Mono.delay(config.pollInterval()).thenReturn(List.of());
    }

    /** A QUEUE_POSITION event when a queued run's place differs from the last one sent; empty otherwise. */
    private Mono<List<RunEvent>> positionChange(RunView run, Cursor cursor) {
        if (run.status() != RunStatus.QUEUED || run.client() == null) {
            return Mono.empty();
        }
        return queue.position(run.runId(), run.client())
                .filter(position -> !position.equals(cursor.lastPosition))
                .map(position -> {
                    cursor.lastPosition = position;
                    return List.of(new RunEvent(null, run.runId(), System.currentTimeMillis(), null, null,
                            new EventData.QueuePosition(position)));
                });
    }
}
