package io.hogwild.gateway.orchestrator;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.web.ResilienceFactory;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Resilience4j around every orchestrator call (built by the shared {@link ResilienceFactory}): one circuit breaker, a
 * time limit per call, and retries for idempotent GETs only (a repeated POST could start a second run).
 *
 * <p>The circuit counts only what says the orchestrator itself is in trouble: unreachable, timed out, or a 500. Its
 * 4xx answers and its 503 "no GPU worker" are healthy answers. While the circuit is open, calls fail at once with 503
 * and {@code Retry-After}, instead of every client waiting out a connect timeout. States and calls are exported as
 * {@code resilience4j_*} metrics.
 */
@Component
public class OrchestratorResilience {

    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;
    private final Retry retry;
    private final Duration waitInOpenState;

    public OrchestratorResilience(GatewayProperties properties, ResilienceFactory factory) {
        GatewayProperties.Resilience config = properties.resilience();
        this.waitInOpenState = config.waitInOpenState();
        this.circuitBreaker = factory.circuitBreakers(config, OrchestratorResilience::isOrchestratorFailure)
                .circuitBreaker("orchestrator");
        this.timeLimiter = factory.timeLimiters(config).timeLimiter("orchestrator");
        // An open circuit is, by design, not retried; nor is anything the orchestrator answered.
        this.retry = factory.retries(config, e -> (e instanceof OrchestratorUnavailableException
                        || e instanceof TimeoutException) && !(e instanceof CallNotPermittedException))
                .retry("orchestrator-get");
    }

    static boolean isOrchestratorFailure(Throwable e) {
        return e instanceof OrchestratorUnavailableException || e instanceof TimeoutException
                || (e instanceof UpstreamProblemException u && u.status().value() == 500);
    }

    public CircuitBreaker circuitBreaker() {
        return circuitBreaker;
    }

    /** A single call: time limit and circuit breaker; retried when {@code idempotent}. */
    public <T> Mono<T> call(Mono<T> call, boolean idempotent) {
        Mono<T> guarded = call.transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(circuitBreaker));
        if (idempotent) {
            guarded = guarded.transformDeferred(RetryOperator.of(retry));
        }
        return guarded.onErrorMap(this::translate);
    }

    /**
     * A stream (server-sent events): the circuit breaker decides whether to open it and learns how opening went; the
     * stream itself has no time limit (a run may be silent for minutes during a long prefill).
     */
    public <T> Mono<Flux<T>> open(Mono<Flux<T>> connect) {
        return connect.transformDeferred(TimeLimiterOperator.of(timeLimiter))
                .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
                .onErrorMap(this::translate);
    }

    private Throwable translate(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return new OrchestratorUnavailableException(
                    "the orchestrator is failing; calls are paused (circuit open) for up to "
                            + waitInOpenState.toSeconds() + " s", waitInOpenState, null);
        }
        if (e instanceof TimeoutException) {
            return new OrchestratorUnavailableException("the orchestrator did not answer in time",
                    Duration.ofSeconds(2), null);
        }
        return e;
    }
}
