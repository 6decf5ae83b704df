package io.hogwild.orchestrator.run;

import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a piece of work each time a signal arrives (a timer tick, a wake-up), one at a time: signals that arrive while
 * it runs are folded into one more run, and a failed run is logged (a Redis outage quietly) and does not end the
 * loop. What the dispatcher and the takeover are built on.
 */
final class BackgroundLoop {

    private volatile Disposable running;

    void start(Publisher<?> signals, Mono<Void> work, Logger log, String what) {
        running = Flux.from(signals)
                .onBackpressureDrop()
                .concatMap(signal -> work.onErrorResume(e -> {
                    if (RedisOutages.isOutage(e)) {
                        log.debug("{} skipped: Redis unavailable ({})", what, e.toString());
                    } else {
                        log.warn("{} failed: {}", what, e.toString());
                    }
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    void stop() {
        Disposable d = running;
        if (d != null) {
            d.dispose();
        }
    }
}
