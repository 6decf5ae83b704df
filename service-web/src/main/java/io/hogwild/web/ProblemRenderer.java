package io.hogwild.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where errors become responses: whatever failed (a web filter, a controller, request decoding or
 * validation, Spring's routing), the client gets an RFC 9457 {@code application/problem+json} document with
 * {@code type} ({@code urn:hogwild:problem:*}), {@code title}, {@code status}, {@code detail} and {@code instance},
 * the offending {@code field} for request errors, and {@code retry_after_seconds} with a {@code Retry-After} header
 * when waiting helps. Unexpected failures are logged here and answered with a generic 500, so no stack trace or class
 * name ever reaches a client.
 *
 * <p>A {@link WebExceptionHandler} rather than controller advice because errors of web filters never reach advice; it
 * is ordered before Boot's default handler (-1). A {@link ProblemFormat} may give some requests another body shape.
 */
public class ProblemRenderer implements WebExceptionHandler, Ordered {

    /** Before Boot's {@code DefaultErrorWebExceptionHandler} (-1), which would answer in its own shape. */
    public static final int ORDER = -2;

    private static final Logger log = LoggerFactory.getLogger(ProblemRenderer.class);

    private final JsonMapper json;
    private final List<ProblemListener> listeners;
    private final List<ProblemFormat> formats;

    public ProblemRenderer(JsonMapper json, List<ProblemListener> listeners, List<ProblemFormat> formats) {
        this.json = json;
        this.listeners = List.copyOf(listeners);
        this.formats = List.copyOf(formats);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            // A stream already under way (e.g. server-sent events): all that is left is to end the connection.
            log.debug("error after the response was committed: {}", error.toString());
            return Mono.error(error);
        }
        ApiException problem = toProblem(error);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type().toString());
        body.put("title", problem.title());
        body.put("status", problem.status().value());
        body.put("detail", problem.getMessage());
        body.put("instance", exchange.getRequest().getPath().value());
        if (problem.field() != null) {
            body.put("field", problem.field());
        }
        body.putAll(problem.properties());
        response.setStatusCode(problem.status());
        HttpHeaders headers = response.getHeaders();
        problem.headers().forEach(headers::put);
        if (problem.retryAfter() != null) {
            long seconds = retryAfterSeconds(problem);
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            body.put("retry_after_seconds", seconds);
        }
        listeners.forEach(listener -> listener.rendered(exchange, problem));
        ProblemFormat format = formats.stream().filter(f -> f.appliesTo(exchange)).findFirst().orElse(null);
        headers.setContentType(format != null ? format.contentType() : MediaType.APPLICATION_PROBLEM_JSON);
        byte[] bytes = json.writeValueAsBytes(format != null ? format.body(problem, exchange) : body);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /** Whole seconds, rounded up and at least 1: {@code Retry-After: 0} would invite an immediate retry storm. */
    static long retryAfterSeconds(ApiException problem) {
        return Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000);
    }

    ApiException toProblem(Throwable error) {
        ApiException api = findCause(error, ApiException.class);
        if (api != null) {
            if (api.status().is5xxServerError()) {
                // The cause's message (e.g. "Connection refused"), never its stack: these are expected outages.
                log.warn("{}: {}{}", api.status().value(), api.getMessage(),
                        api.getCause() != null ? " (" + api.getCause() + ")" : "");
            }
            return api;
        }
        if (findCause(error, DataBufferLimitException.class) != null) {
            return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
                    "the request body is larger than this service accepts");
        }
        if (error instanceof WebExchangeBindException bind) {
            return RequestProblems.invalid(bind);
        }
        if (error instanceof ServerWebInputException input) {
            return RequestProblems.unreadable(input);
        }
        if (error instanceof ErrorResponse spring && !spring.getStatusCode().is5xxServerError()) {
            return fromSpring(spring);
        }
        log.error("unexpected error", error);
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error",
                "the service hit an unexpected error; it has been logged");
    }

    /** Spring's own request errors: no route (404), wrong method (405), media types (406/415) and the like. */
    private static ApiException fromSpring(ErrorResponse spring) {
        HttpStatusCode status = spring.getStatusCode();
        HttpStatus known = HttpStatus.resolve(status.value());
        String title = known != null ? known.getReasonPhrase() : "Request error";
        String detail = spring.getBody().getDetail() != null ? spring.getBody().getDetail() : title;
        ApiException problem = new ApiException(status, title.toLowerCase(Locale.ROOT).replace(' ', '-'), title,
                detail);
        spring.getHeaders().forEach((name, values) -> values.forEach(value -> problem.header(name, value)));
        return problem;
    }

    static <T extends Throwable> T findCause(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
