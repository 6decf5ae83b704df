package io.hogwild.orchestrator.workers;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.web.ResilienceFactory;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Resilience4j towards the GPU workers: one circuit breaker and one bulkhead per worker, so one sick worker never
 * blocks calls to the others; one time limiter and one retry policy for all. Exported as {@code resilience4j_*}
 * metrics by the shared {@link ResilienceFactory}.
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

    public WorkerResilience(OrchestratorProperties properties, ResilienceFactory factory) {
        OrchestratorProperties.Resilience config = properties.resilience();
        this.waitInOpenState = config.waitInOpenState();
        this.circuitBreakers = factory.circuitBreakers(config, WorkerUnavailableException.class::isInstance);
        this.bulkheads = factory.bulkheads(config.maxConcurrentCalls());
        this.timeLimiter = factory.timeLimiters(config).timeLimiter("gpu-worker");
        // Only transport failures are worth repeating; an open circuit is, by design, not retried.
        this.idempotentRetry = factory.retries(config, e -> e instanceof WorkerUnavailableException
                && !(e.getCause() instanceof CallNotPermittedException)).retry("gpu-worker-idempotent");
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
}
