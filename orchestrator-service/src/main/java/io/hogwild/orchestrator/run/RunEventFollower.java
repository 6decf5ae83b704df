package io.hogwild.orchestrator.run;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Replays a run's recorded events and then follows new ones until the run ends. It reads the Redis stream (polling
 * with an exclusive cursor) rather than listening to the recorder in memory, so a follower on any orchestrator
 * instance sees the same log, and a client that reconnects with its last id misses nothing and sees nothing twice.
 */
@Component
public class RunEventFollower {

    private final RunStore store;
    private final OrchestratorProperties.Events config;

    public RunEventFollower(RunStore store, OrchestratorProperties properties) {
        this.store = store;
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
            return store.view(runId)
                    .map(view -> RunStates.isFinal(view.status()))
                    .defaultIfEmpty(true)
                    .flatMap(isFinal -> {
                        if (isFinal && ++cursor.idlePollsAfterFinal > 1) {
                            cursor.done = true;
                            return Mono.just(List.<RunEvent>of());
                        }
                        return Mono.delay(config.pollInterval()).thenReturn(List.<RunEvent>of());
                    });
        });
    }
}
