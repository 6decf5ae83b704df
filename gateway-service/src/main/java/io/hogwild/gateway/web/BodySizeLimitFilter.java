package io.hogwild.gateway.web;

import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.gateway.security.ApiKeyFilter;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Request bodies above {@code hogwild.gateway.max-request-body} get 413: at once when {@code Content-Length} says so,
 * otherwise (chunked uploads) as soon as the bytes read pass the limit, so a client cannot make the gateway buffer an
 * unbounded body. Runs after authentication and the rate limit, so anonymous callers cannot probe it.
 */
@Component
public class BodySizeLimitFilter implements WebFilter, Ordered {

    private final long limit;

    public BodySizeLimitFilter(GatewayProperties properties) {
        this.limit = properties.maxRequestBody().toBytes();
    }

    @Override
    public int getOrder() {
        return ApiKeyFilter.ORDER + 20;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > limit) {
            return Mono.error(ProblemExceptionHandler.PayloadTooLarge.of(limit));
        }
        ServerHttpRequestDecorator counted = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                AtomicLong seen = new AtomicLong();
                return super.getBody().handle((buffer, sink) -> {
                    if (seen.addAndGet(buffer.readableByteCount()) > limit) {
                        DataBufferUtils.release(buffer);
                        sink.error(ProblemExceptionHandler.PayloadTooLarge.of(limit));
                    } else {
                        sink.next(buffer);
                    }
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }
}
