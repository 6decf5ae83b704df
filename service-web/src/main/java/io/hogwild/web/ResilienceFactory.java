package io.hogwild.web;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedTimeLimiterMetrics;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Resilience4j registries built from a service's settings, each with its {@code resilience4j_*} metrics bound to the
 * service's meter registry (instances created later included), so every circuit, retry, bulkhead and time limit shows
 * up in {@code /actuator/prometheus}. Wired by hand: Resilience4j's Spring Boot starter targets Boot 3.
 */
public class ResilienceFactory {

    private final MeterRegistry meters;

    public ResilienceFactory(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * Count-based circuit breakers. Only failures {@code recordAsFailure} accepts count against the circuit (an
     * answered 4xx is a healthy downstream); no call counts as slow, since event streams last as long as a run.
     */
    public CircuitBreakerRegistry circuitBreakers(ResilienceSettings settings, Predicate<Throwable> recordAsFailure) {
        return bound(CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.waitInOpenState())
                // Callers skip a downstream whose circuit is open (the dispatcher, resumes); without this, no call
                // would ever be made to move it to half-open, and a worker once failing would stay unused forever.
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                .slowCallDurationThreshold(Duration.ofDays(1))
                .recordException(recordAsFailure::test)
                .build()), TaggedCircuitBreakerMetrics::ofCircuitBreakerRegistry);
    }

    /** The settings' call timeout; a timed-out call is cancelled. */
    public TimeLimiterRegistry timeLimiters(ResilienceSettings settings) {
        return bound(TimeLimiterRegistry.of(TimeLimiterConfig.custom()
                .timeoutDuration(settings.callTimeout())
                .cancelRunningFuture(true)
                .build()), TaggedTimeLimiterMetrics::ofTimeLimiterRegistry);
    }

    /** Retries of what {@code retryOn} accepts; use them for idempotent calls only. */
    public RetryRegistry retries(ResilienceSettings settings, Predicate<Throwable> retryOn) {
        return bound(RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .waitDuration(settings.retryWait())
                .retryOnException(retryOn::test)
                .build()), TaggedRetryMetrics::ofRetryRegistry);
    }

    /** Bulkheads that refuse at once (no waiting) beyond {@code maxConcurrentCalls}. */
    public BulkheadRegistry bulkheads(int maxConcurrentCalls) {
        return bound(BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(maxConcurrentCalls)
                .maxWaitDuration(Duration.ZERO)
                .build()), TaggedBulkheadMetrics::ofBulkheadRegistry);
    }

    /** Every registry leaves with its metrics bound: the one way out of this factory. */
    private <R> R bound(R registry, Function<R, MeterBinder> metrics) {
        metrics.apply(registry).bindTo(meters);
        return registry;
    }
}
