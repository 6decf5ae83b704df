package io.hogwild.orchestrator.workers;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Resilience4j, wired by hand (its Spring Boot starter targets Boot 3): one circuit breaker and one bulkhead per GPU
 * worker, so one sick worker never blocks calls to the others; one time limiter and one retry policy for all.
 *
 * <p>The circuit counts only {@link WorkerUnavailableException} (unreachable, timed out, broken stream): a worker that
 * is full (503) or rejects a plan (4xx) is healthy and answering.
 */
@Component
public class WorkerResilience {

    private final CircuitBreakerRegistry circuitBreakers;
    private final BulkheadRegistry bulkheads;
    private final TimeLimiter timeLimiter;
    private final Retry idempotentRetry;
    private final Duration waitInOpenState;

    public WorkerResilience(OrchestratorProperties properties) {
        OrchestratorProperties.Resilience config = properties.resilience();
        this.waitInOpenState = config.waitInOpenState();
        this.circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.slidingWindowSize())
                .minimumNumberOfCalls(config.minimumNumberOfCalls())
                .failureRateThreshold(config.failureRateThreshold())
                .waitDurationInOpenState(config.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpenState())
                // Event streams last as long as a run: never call them slow.
                .slowCallDurationThreshold(Duration.ofDays(1))
                .recordExceptions(WorkerUnavailableException.class)
                .build());
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(config.maxConcurrentCalls())
                .maxWaitDuration(Duration.ZERO)
                .build());
        this.timeLimiter = TimeLimiterRegistry.of(TimeLimiterConfig.custom()
                .timeoutDuration(config.callTimeout())
                .cancelRunningFuture(true)
                .build()).timeLimiter("gpu-worker");
        this.idempotentRetry = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(config.maxAttempts())
                .waitDuration(config.retryWait())
                // Only transport failures are worth repeating; an open circuit is, by design, not retried.
                .retryOnException(e -> e instanceof WorkerUnavailableException
                        && !(e.getCause() instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException))
                .build()).retry("gpu-worker-idempotent");
    }

    public CircuitBreaker circuitBreaker(String workerId) {
        return circuitBreakers.circuitBreaker("gpu-worker:" + workerId);
    }

    public Bulkhead bulkhead(String workerId) {
        return bulkheads.bulkhead("gpu-worker:" + workerId);
    }

    public TimeLimiter timeLimiter() {
        return timeLimiter;
    }

    public Retry idempotentRetry() {
        return idempotentRetry;
    }

    public Duration waitInOpenState() {
        return waitInOpenState;
    }

    public CircuitBreakerRegistry circuitBreakers() {
        return circuitBreakers;
    }
}
