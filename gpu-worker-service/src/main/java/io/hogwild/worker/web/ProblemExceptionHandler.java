package io.hogwild.worker.web;

import io.hogwild.lockstep.InvalidPlanException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.validation.FieldError;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns every error into an RFC 9457 {@code application/problem+json} response: errors of handlers and of the
 * framework alike (no route, wrong method, unreadable body), so clients see one shape and never a stack trace.
 * It runs before Boot's default error handler (order -1), which would answer with its own JSON shape.
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
    private static final int MAX_DETAIL = 500;

    private final JsonMapper json;

    public ProblemExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(ex); // a stream already under way: nothing sensible can be written any more
        }
        HttpHeaders extraHeaders = new HttpHeaders();
        Map<String, Object> problem = toProblem(ex, extraHeaders);
        problem.put("instance", exchange.getRequest().getPath().value());
        response.setStatusCode(HttpStatusCode.valueOf((Integer) problem.get("status")));
        response.getHeaders().putAll(extraHeaders);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        byte[] body = json.writeValueAsBytes(problem);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    private Map<String, Object> toProblem(Throwable ex, HttpHeaders headers) {
        if (ex instanceof InvalidRequestException invalid) {
            Map<String, Object> p = base(HttpStatus.BAD_REQUEST, invalid.getMessage());
            p.put("field", invalid.field());
            return p;
        }
        if (ex instanceof InvalidPlanException invalid) {
            Map<String, Object> p = base(HttpStatus.BAD_REQUEST, invalid.getMessage());
            p.put("field", invalid.field());
            return p;
        }
        if (ex instanceof ProblemException problem) {
            Map<String, Object> p = base(problem.status(), problem.getMessage());
            p.putAll(problem.properties());
            if (problem.retryAfter() != null) {
                headers.set(HttpHeaders.RETRY_AFTER,
                        String.valueOf(Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000)));
            }
            return p;
        }
        if (ex instanceof WebExchangeBindException bind) {
            List<String> fields = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            for (FieldError error : bind.getFieldErrors()) {
                fields.add(snakeCase(error.getField()));
                messages.add(snakeCase(error.getField()) + ": " + error.getDefaultMessage());
            }
            Map<String, Object> p = base(HttpStatus.BAD_REQUEST, String.join("; ", messages));
            p.put("field", fields.isEmpty() ? null : fields.get(0));
            return p;
        }
        if (ex instanceof ErrorResponse error) {
            // Framework errors (no route, method, media type, unreadable body) carry their own status and headers.
            headers.putAll(error.getHeaders());
            ProblemDetail body = error.getBody();
            HttpStatusCode status = error.getStatusCode();
            JacksonException jackson = cause(ex, JacksonException.class);
            if (status.value() == 400 && jackson != null) {
                Map<String, Object> p = base(status, "unreadable JSON: " + firstLine(jackson.getOriginalMessage()));
                p.put("field", jsonPath(jackson));
                return p;
            }
            String detail = body.getDetail() != null ? body.getDetail() : reasonOf(status);
            return base(status, detail);
        }
        log.error("Unexpected error", ex);
        return base(HttpStatus.INTERNAL_SERVER_ERROR, "unexpected error (" + ex.getClass().getSimpleName()
                + "); see the worker's log");
    }

    private static Map<String, Object> base(HttpStatusCode status, String detail) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "about:blank");
        p.put("title", reasonOf(status));
        p.put("status", status.value());
        p.put("detail", detail == null ? null : truncate(detail));
        return p;
    }

    private static String reasonOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "Error " + status.value();
    }

    /** The JSON path of a binding error, e.g. {@code workers[1].view}: names as the client wrote them. */
    private static String jsonPath(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }

    private static <T extends Throwable> T cause(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String truncate(String s) {
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "...";
    }

    static String snakeCase(String javaPath) {
        return javaPath.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
