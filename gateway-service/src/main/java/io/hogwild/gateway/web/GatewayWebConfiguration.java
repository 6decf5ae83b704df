package io.hogwild.gateway.web;

import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.gateway.security.ApiKeyFilter;
import io.hogwild.web.BodySizeLimitFilter;
import io.hogwild.web.ProblemListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway's own use of the shared web stack: its body-size limit and its count of rejected requests. */
@Configuration(proxyBeanMethods = false)
public class GatewayWebConfiguration {

    /** {@code hogwild.gateway.max-request-body}, checked after authentication and the rate limit (no probing). */
    @Bean
    BodySizeLimitFilter bodySizeLimitFilter(GatewayProperties properties) {
        return new BodySizeLimitFilter(properties.maxRequestBody().toBytes(), ApiKeyFilter.ORDER + 20);
    }

    /** {@code hogwild.gateway.rejected.requests} by reason (the route/status view is http.server.requests). */
    @Bean
    ProblemListener rejectedRequestCounter(MeterRegistry meters) {
        return (exchange, problem) -> {
            String reason = switch (problem.status().value()) {
                case 400 -> "invalid_request";
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 413 -> "payload_too_large";
                case 429 -> "rate_limited";
                default -> null;
            };
            if (reason != null) {
                meters.counter("hogwild.gateway.rejected.requests", "reason", reason).increment();
            }
        };
    }
}
