package io.hogwild.orchestrator.run;

import io.hogwild.web.ApiException;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A request that fails because Redis is away gets a 503 with Retry-After (the run store comes back; the gateway does
 * not count it against the orchestrator), not a logged 500.
 */
@Component
public class RedisOutageFilter implements WebFilter, Ordered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 200;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return chain.filter(exchange).onErrorMap(RedisOutages::isOutage, e -> ApiException.unavailable(
                "store-unavailable", "Run store unavailable",
                "the orchestrator cannot reach Redis right now; try again shortly", Duration.ofSeconds(2)));
    }
}
