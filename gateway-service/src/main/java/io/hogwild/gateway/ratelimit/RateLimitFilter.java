package io.hogwild.gateway.ratelimit;

import io.hogwild.gateway.security.ApiKeyFilter;
import io.hogwild.gateway.security.ApiPrincipal;
import io.hogwild.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * One token per authenticated request from the caller's bucket; an empty bucket gives 429 with {@code Retry-After}.
 * Headers {@code X-RateLimit-Limit} (burst) and {@code X-RateLimit-Remaining} tell clients where they stand.
 *
 * <p>When Redis cannot be reached the request passes (and {@code hogwild.gateway.ratelimit.errors} counts it): the
 * limiter protects capacity, and refusing every request because of it would turn a Redis hiccup into an outage.
 */
@Component
public class RateLimitFilter implements WebFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);

    private final RateLimiter limiter;
    private final Counter errors;

    public RateLimitFilter(RateLimiter limiter, MeterRegistry meters) {
        this.limiter = limiter;
        this.errors = meters.counter("hogwild.gateway.ratelimit.errors");
    }

    @Override
    public int getOrder() {
        return ApiKeyFilter.ORDER + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ApiPrincipal principal = exchange.getAttribute(ApiPrincipal.ATTRIBUTE);
        if (principal == null || !limiter.config().enabled()) {
            return chain.filter(exchange);
        }
        return limiter.acquire(principal.name())
                .map(java.util.Optional::of)
                .onErrorResume(e -> {
                    errors.increment();
                    log.warn("rate limiter unavailable, letting the request pass: {}", e.toString());
                    return Mono.just(java.util.Optional.empty());
                })
                .flatMap(decision -> {
                    if (decision.isEmpty()) {
                        return chain.filter(exchange);
                    }
                    RateLimiter.Decision d = decision.get();
                    var headers = exchange.getResponse().getHeaders();
                    headers.set("X-RateLimit-Limit", Integer.toString(limiter.config().burst()));
                    headers.set("X-RateLimit-Remaining", Long.toString(d.remaining()));
                    if (d.allowed()) {
                        return chain.filter(exchange);
                    }
                    Duration wait = d.retryAfter().isZero() ? Duration.ofSeconds(1) : d.retryAfter();
                    return Mono.error(new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate-limited",
                            "Too many requests", "the rate limit of this API key ("
                            + limiter.config().requestsPerMinute() + " requests per minute, bursts of "
                            + limiter.config().burst() + ") is exhausted; retry later", wait, null));
                });
    }
}
