package io.hogwild.web.internal;

import io.hogwild.web.ApiException;
import io.hogwild.web.BearerTokens;
import io.hogwild.web.OpenPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Requires the service credential ({@code Authorization: Bearer <HOGWILD_INTERNAL_TOKEN>}) on every path but the
 * health probes and the configured open paths: 401 problem otherwise. Not registered on its own: the services that
 * only other services call (orchestrator, GPU worker) declare it; the gateway has its own API keys.
 */
public class InternalAuthFilter implements WebFilter, Ordered {

    /** Before anything reads the request. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    private static final Logger log = LoggerFactory.getLogger(InternalAuthFilter.class);
    private static final String CHALLENGE = "Bearer realm=\"hogwild-internal\"";

    private final InternalToken token;
    private final OpenPaths open;

    public InternalAuthFilter(InternalToken token, InternalAuthProperties properties) {
        this.token = token;
        this.open = new OpenPaths(properties.openPaths());
        if (!token.configured()) {
            log.warn("No internal token configured (HOGWILD_INTERNAL_TOKEN): every call but the health probes is "
                    + "refused with 401");
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (open.matches(exchange.getRequest().getPath().pathWithinApplication())) {
            return chain.filter(exchange);
        }
        if (!token.configured()) {
            return Mono.error(unauthorized("this service has no internal token configured (HOGWILD_INTERNAL_TOKEN), "
                    + "so it accepts no calls but its health probes"));
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String presented = BearerTokens.from(header);
        if (presented == null) {
            return Mono.error(unauthorized("this internal API needs the service credential: "
                    + "'Authorization: Bearer <internal token>'"));
        }
        if (!token.matches(presented)) {
            return Mono.error(unauthorized("the service credential is not valid"));
        }
        return chain.filter(exchange);
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
    }
}
