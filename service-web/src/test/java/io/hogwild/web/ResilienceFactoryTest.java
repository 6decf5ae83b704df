package io.hogwild.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.hogwild.web.testapp.TestApplication.Downstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Registries built from settings, their behaviour, and their metrics bound for instances made later too. */
class ResilienceFactoryTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ResilienceFactory factory = new ResilienceFactory(meters);
    private final Downstream settings = new Downstream(Duration.ofMillis(750), 50, 4, 2, Duration.ofSeconds(9), 1, 3,
            Duration.ofMillis(1));

    @Test
    void circuitsCountOnlyTheFailuresTheCallerNamesAndExportTheirState() {
        CircuitBreakerRegistry circuits = factory.circuitBreakers(settings, UncheckedIOException.class::isInstance);
        CircuitBreaker circuit = circuits.circuitBreaker("downstream-a");
        assertThat(circuit.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(4);
        assertThat(circuit.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(9000);

        for (int i = 0; i < 4; i++) {
            circuit.onError(0, TimeUnit.MILLISECONDS, new IllegalArgumentException("a 4xx"));
        }
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        for (int i = 0; i < 4; i++) {
            circuit.onError(0, TimeUnit.MILLISECONDS,
                    new UncheckedIOException(new IOException("refused")));
        }
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(meters.get("resilience4j.circuitbreaker.state").tag("name", "downstream-a").tag("state", "open")
                .gauge().value()).isEqualTo(1.0);
    }

    @Test
    void retriesRepeatOnlyWhatTheCallerAllowsAndCountCalls() {
        Retry retry = factory.retries(settings, UncheckedIOException.class::isInstance).retry("downstream-get");
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.executeRunnable(() -> {
            attempts.incrementAndGet();
            throw new UncheckedIOException(new IOException("refused"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(attempts).hasValue(3);
        assertThatThrownBy(() -> retry.executeRunnable(() -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("not worth repeating");
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(attempts).hasValue(4);
        assertThat(meters.get("resilience4j.retry.calls").tag("name", "downstream-get")
                .tag("kind", "failed_with_retry").functionCounter().count()).isEqualTo(1.0);
    }

    @Test
    void bulkheadsRefuseAtOnceBeyondTheirLimit() {
        Bulkhead bulkhead = factory.bulkheads(1).bulkhead("downstream-b");
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThatThrownBy(bulkhead::acquirePermission).isInstanceOf(BulkheadFullException.class);
        assertThat(meters.get("resilience4j.bulkhead.available.concurrent.calls").tag("name", "downstream-b")
                .gauge().value()).isEqualTo(0.0);
    }

    @Test
    void timeLimitersUseTheCallTimeoutAndAreExported() {
        TimeLimiter limiter = factory.timeLimiters(settings).timeLimiter("downstream-c");
        assertThat(limiter.getTimeLimiterConfig().getTimeoutDuration()).isEqualTo(Duration.ofMillis(750));
        assertThat(limiter.getTimeLimiterConfig().shouldCancelRunningFuture()).isTrue();
        limiter.onSuccess();
        assertThat(meters.get("resilience4j.timelimiter.calls").tag("name", "downstream-c").tag("kind", "successful")
                .counter().count()).isEqualTo(1.0);
    }
}
