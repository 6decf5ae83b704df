package io.hogwild.gateway.console;

import io.hogwild.gateway.security.ApiKeyFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Browser security headers on everything under {@code /console}: a Content-Security-Policy that allows only this
 * origin's own files (no inline script or style, no eval, Trusted Types required for DOM sinks, no framing), no MIME
 * sniffing, no referrer. Set just before the response is committed, so error answers carry them too.
 */
@Component
public class ConsoleHeadersFilter implements WebFilter, Ordered {

    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'");

    private final PathPattern page = PathPatternParser.defaultInstance.parse(ConsoleConfiguration.PATH);
    private final PathPattern files = PathPatternParser.defaultInstance.parse(ConsoleConfiguration.PATH + "/**");

    @Override
    public int getOrder() {
        // Before authentication: its own refusals are answered with these headers as well.
        return ApiKeyFilter.ORDER - 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        if (!page.matches(path) && !files.matches(path)) {
            return chain.filter(exchange);
        }
        exchange.getResponse().beforeCommit(() -> {
            HttpHeaders headers = exchange.getResponse().getHeaders();
            headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("X-Frame-Options", "DENY");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("Cross-Origin-Opener-Policy", "same-origin");
            headers.set("Cross-Origin-Resource-Policy", "same-origin");
            headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
            if ("https".equalsIgnoreCase(exchange.getRequest().getURI().getScheme())) {
                headers.set("Strict-Transport-Security", "max-age=31536000");
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
