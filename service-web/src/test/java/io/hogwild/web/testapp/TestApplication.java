package io.hogwild.web.testapp;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.hogwild.web.ApiException;
import io.hogwild.web.BodySizeLimitFilter;
import io.hogwild.web.ProblemFormat;
import io.hogwild.web.ProblemListener;
import io.hogwild.web.ResilienceFactory;
import io.hogwild.web.ResilienceSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;

/** A tiny WebFlux service on the shared web stack, as the three services use it. */
@SpringBootApplication
public class TestApplication {

    /** Every problem the renderer answered, as "status slug path". */
    public static final List<String> RENDERED = new CopyOnWriteArrayList<>();

    public static final long MAX_BODY_BYTES = 4096;

    public record Downstream(Duration callTimeout, float failureRateThreshold, int slidingWindowSize,
                             int minimumNumberOfCalls, Duration waitInOpenState, int permittedCallsInHalfOpenState,
                             int maxAttempts, Duration retryWait) implements ResilienceSettings {}

    @Bean
    BodySizeLimitFilter bodySizeLimit() {
        return new BodySizeLimitFilter(MAX_BODY_BYTES, 0);
    }

    @Bean
    ProblemListener recordingListener() {
        return (exchange, problem) -> RENDERED.add(problem.status().value() + " " + problem.slug() + " "
                + exchange.getRequest().getPath().value());
    }

    /** Errors under /other-format in a body of another shape (as the gateway's OpenAI paths have). */
    @Bean
    ProblemFormat otherFormat() {
        return new ProblemFormat() {
            @Override
            public boolean appliesTo(ServerWebExchange exchange) {
                return exchange.getRequest().getPath().value().startsWith("/other-format/");
            }

            @Override
            public MediaType contentType() {
                return MediaType.APPLICATION_JSON;
            }

            @Override
            public Object body(ApiException problem, ServerWebExchange exchange) {
                return Map.of("failure", Map.of("says", problem.getMessage(), "about", problem.field()));
            }
        };
    }

    @Bean
    CircuitBreakerRegistry downstreamCircuits(ResilienceFactory resilience) {
        CircuitBreakerRegistry circuits = resilience.circuitBreakers(new Downstream(Duration.ofSeconds(1), 50, 4, 2,
                Duration.ofSeconds(30), 1, 2, Duration.ofMillis(10)), IllegalStateException.class::isInstance);
        circuits.circuitBreaker("test-downstream");
        return circuits;
    }
}
