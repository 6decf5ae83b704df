package io.hogwild.gateway.security;

import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.gateway.console.ConsoleConfiguration;
import io.hogwild.web.ApiException;
import io.hogwild.web.BearerTokens;
import io.hogwild.web.OpenPaths;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * {@code Authorization: Bearer KEY} on every path except the health probes, the console's static files (and the
 * configured public paths):
 * 401 for a missing or unknown key (with {@code WWW-Authenticate: Bearer}), 403 for a user key on admin-only paths
 * ({@code /admin/**} and every actuator endpoint but health). The principal is left in the exchange for the rate
 * limiter and the controllers. A plain WebFilter rather than Spring Security: two roles and one header do not need
 * its machinery, and this way the whole policy is on one page.
 */
@Component
public class ApiKeyFilter implements WebFilter, Ordered {

    /** First of the gateway's own filters: nothing is counted, limited or read before the caller is known. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    private static final String CHALLENGE = "Bearer realm=\"hogwild\"";

    private final ApiKeyStore keys;
    private final OpenPaths open;
    private final List<PathPattern> adminOnly;

    public ApiKeyFilter(ApiKeyStore keys, GatewayProperties properties) {
        this.keys = keys;
        // The console's static files hold no data; every call the page makes sends the admin key.
        List<String> openPaths = new java.util.ArrayList<>(List.of(ConsoleConfiguration.PATH,
                ConsoleConfiguration.PATH + "/**"));
        openPaths.addAll(properties.security().publicPaths());
        this.open = new OpenPaths(openPaths);
        PathPatternParser parser = PathPatternParser.defaultInstance;
        adminOnly = List.of(parser.parse("/admin"), parser.parse("/admin/**"), parser.parse("/actuator/**"));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        if (open.matches(path)) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String key = BearerTokens.from(header);
        if (key == null) {
            return Mono.error(unauthorized(header == null
                    ? "an API key is required: send it as 'Authorization: Bearer <key>'"
                    : "the Authorization header must be 'Bearer <key>'"));
        }
        return keys.authenticate(key)
                .map(principal -> {
                    if (!principal.admin() && matches(adminOnly, path)) {
                        return Mono.<Void>error(new ApiException(HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                                "this path needs an admin key"));
                    }
                    exchange.getAttributes().put(ApiPrincipal.ATTRIBUTE, principal);
                    return chain.filter(exchange);
                })
                .orElseGet(() -> Mono.error(unauthorized("the API key is not valid")));
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
    }

    private static boolean matches(List<PathPattern> patterns, PathContainer path) {
        for (PathPattern pattern : patterns) {
            if (pattern.matches(path)) {
                return true;
            }
        }
        return false;
    }
}
