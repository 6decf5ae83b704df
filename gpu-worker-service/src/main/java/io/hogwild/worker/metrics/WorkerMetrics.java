package io.hogwild.worker.metrics;

import io.hogwild.lockstep.LockstepMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The worker's meters (Prometheus names: {@code hogwild_worker_*}): lockstep pass latency, tokens generated,
 * sessions refused, and gauges of running sessions and cache bytes.
 */
@Component
public class WorkerMetrics implements LockstepMetrics {

    private final MeterRegistry registry;
    private final Timer lockstepStep;
    private final Counter tokens;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.lockstepStep = Timer.builder("hogwild.worker.lockstep.pass")
                .description("One joint forward step of all active workers of a session, sampling included")
                .publishPercentileHistogram()
                .register(registry);
        this.tokens = Counter.builder("hogwild.worker.tokens.generated")
                .description("Tokens sampled by workers (finisher tokens included)")
                .register(registry);
    }

    @Override
    public void lockstepPass(long nanos) {
        lockstepStep.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void tokensGenerated(int n) {
        tokens.increment(n);
    }

    /** A session refused for lack of room; reason {@code sessions} or {@code cache}. */
    public void rejected(String reason) {
        Counter.builder("hogwild.worker.sessions.rejected")
                .description("Sessions refused with 503 because the worker had no room")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }
}
