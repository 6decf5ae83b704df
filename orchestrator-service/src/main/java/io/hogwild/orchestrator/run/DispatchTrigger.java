package io.hogwild.orchestrator.run;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** Wakes this instance's dispatcher before its next tick: a run was queued here, or a run of ours ended. */
@Component
public class DispatchTrigger {

    private final Sinks.Many<Boolean> signals = Sinks.many().multicast().directBestEffort();

    public void poke() {
        signals.tryEmitNext(Boolean.TRUE);
    }

    Flux<Boolean> signals() {
        return signals.asFlux();
    }
}
