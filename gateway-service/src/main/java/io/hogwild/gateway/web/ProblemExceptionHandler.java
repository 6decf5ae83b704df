package io.hogwild.gateway.web;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.validation.FieldError;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where errors become responses: every failure, whether raised by a filter (401, 403, 429, 413), a
 * controller, request decoding or validation, or Spring itself (404, 405, 415), leaves as an RFC 9457
 * {@code application/problem+json} document with {@code type}, {@code title}, {@code status}, {@code detail} and, for
 * request errors, the offending {@code field} as the client spelled it. Unexpected failures are logged here and
 * answered with a generic 500 so that no internals (stack traces, class names) reach the client.
 *
 * <p>A {@link WebExceptionHandler} rather than a {@code @ControllerAdvice} because errors from web filters never reach
 * controller advice; it runs before Spring Boot's default handler (order -1).
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final JsonMapper json;
    private final MeterRegistry meters;

    public ProblemExceptionHandler(JsonMapper json, MeterRegistry meters) {
        this.json = json;
        this.meters = meters;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            // Mid-stream failure (e.g. an event stream broke): nothing can be sent any more but the connection's end.
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
        body.putAll(problem.properties());
        response.setStatusCode(problem.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        problem.headers().forEach((name, values) -> headers.put(name, values));
        if (problem.retryAfter() != null) {
            long seconds = Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000);
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            body.put("retry_after_seconds", seconds);
        }
        countRejection(problem.status().value());
        byte[] bytes = json.writeValueAsBytes(body);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /** The rejected-requests counter of the gateway's own checks (the route/status view is http.server.requests). */
    private void countRejection(int status) {
        String reason = switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 413 -> "payload_too_large";
            case 429 -> "rate_limited";
            case 400 -> "invalid_request";
            default -> null;
        };
        if (reason != null) {
            meters.counter("hogwild.gateway.rejected.requests", "reason", reason).increment();
        }
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
            return PayloadTooLarge.generic();
        }
        if (error instanceof WebExchangeBindException bind) {
            return validation(bind);
        }
        if (error instanceof ServerWebInputException input) {
            return unreadable(input);
        }
        if (error instanceof ErrorResponse spring) {
            // Spring's own request errors: no route (404), wrong method (405), media types (406/415) and the like.
            HttpStatusCode status = spring.getStatusCode();
            if (status.is5xxServerError()) {
                log.error("request failed", error);
                return internal();
            }
            String title = HttpStatus.resolve(status.value()) != null
                    ? HttpStatus.resolve(status.value()).getReasonPhrase() : "Request error";
            String detail = spring.getBody().getDetail() != null ? spring.getBody().getDetail() : title;
            ApiException problem = new ApiException(status, title.toLowerCase(Locale.ROOT).replace(' ', '-'), title,
                    detail);
            spring.getHeaders().forEach((name, values) -> problem.headers().put(name, values));
            return problem;
        }
        log.error("unexpected error", error);
        return internal();
    }

    private static ApiException internal() {
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error",
                "The gateway hit an unexpected error; it has been logged.");
    }

    /** Bean-validation failures: the first field (in name order) is {@code field}; all are listed in {@code errors}. */
    private static ApiException validation(WebExchangeBindException e) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (FieldError error : e.getFieldErrors()) {
            errors.add(Map.of("field", JsonNames.snake(error.getField()),
                    "message", String.valueOf(error.getDefaultMessage())));
        }
        errors.sort((a, b) -> a.get("field").compareTo(b.get("field")));
        String detail = errors.stream().map(x -> x.get("field") + ": " + x.get("message"))
                .collect(Collectors.joining("; "));
        ApiException problem = new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                detail.isEmpty() ? "the request is not valid" : detail);
        if (!errors.isEmpty()) {
            problem.with("field", errors.get(0).get("field"));
        }
        return problem.with("errors", errors);
    }

    /** Bodies Jackson could not read: malformed JSON, or a value of the wrong type at a named field. */
    private static ApiException unreadable(ServerWebInputException e) {
        JacksonException jackson = findCause(e, JacksonException.class);
        if (jackson == null) {
            String reason = e.getReason() != null ? e.getReason() : "the request could not be read";
            if (reason.toLowerCase(Locale.ROOT).contains("no request body")) {
                reason = "the request body is missing; send a JSON object";
            }
            ApiException problem = new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                    reason);
            if (e.getMethodParameter() != null && e.getMethodParameter().getParameterName() != null
                    && !reason.startsWith("the request body")) {
                problem.with("field", JsonNames.snake(e.getMethodParameter().getParameterName()));
            }
            return problem;
        }
        String field = jackson.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        if (jackson instanceof StreamReadException && !(jackson instanceof MismatchedInputException)) {
            // Not JSON at all: say where the parser stopped, never echo the body back.
            var location = jackson.getLocation();
            return new ApiException(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
                    "the request body is not valid JSON" + (location != null
                            ? " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")" : ""));
        }
        String detail;
        InvalidFormatException format = findCause(e, InvalidFormatException.class);
        if (format != null && format.getTargetType() != null && format.getTargetType().isEnum()) {
            String allowed = Arrays.stream(format.getTargetType().getEnumConstants())
                    .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
            detail = field + ": unknown value '" + format.getValue() + "'; expected one of " + allowed;
        } else if (format != null) {
            detail = field + ": '" + format.getValue() + "' is not a valid " + simpleType(format.getTargetType());
        } else if (jackson instanceof MismatchedInputException mismatch && !field.isEmpty()) {
            detail = field + ": expected " + simpleType(mismatch.getTargetType());
        } else {
            detail = "the request body is not a valid JSON object for this endpoint";
        }
        ApiException problem = new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                detail);
        if (!field.isEmpty()) {
            problem.with("field", field);
        }
        return problem;
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean";
        }
        if (type == String.class) {
            return "string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "array";
        }
        return "object";
    }

    static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The 413 problem, shared by the body-size filter and codec limits. */
    public static final class PayloadTooLarge {
        private PayloadTooLarge() {
        }

        public static ApiException of(long limitBytes) {
            return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
                    "the request body is larger than the limit of " + limitBytes + " bytes")
                    .with("max_bytes", limitBytes);
        }

        static ApiException generic() {
            return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
                    "the request body is larger than the gateway accepts");
        }
    }
}
