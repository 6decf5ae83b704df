package io.hogwild.orchestrator.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;

/**
 * Every error leaves as {@code application/problem+json}. Validation problems name the field as the client spelled
 * it; unexpected failures are logged here and answered with a generic 500 so no internals leak.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(ApiException.class)
    public Mono<ResponseEntity<ProblemDetail>> api(ApiException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        problem.setTitle(e.title());
        problem.setType(e.type());
        e.properties().forEach(problem::setProperty);
        HttpHeaders headers = new HttpHeaders();
        if (e.retryAfter() != null) {
            long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            problem.setProperty("retry_after_seconds", seconds);
        }
        if (e.status().is5xxServerError()) {
            log.warn("{}: {}", e.status().value(), e.getMessage());
        }
        return Mono.just(ResponseEntity.status(e.status()).headers(headers)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem));
    }

    @ExceptionHandler(Exception.class)
    public Mono<ResponseEntity<ProblemDetail>> unexpected(Exception e) {
        log.error("unexpected error", e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The orchestrator hit an unexpected error; it has been logged.");
        problem.setTitle("Internal error");
        return Mono.just(ResponseEntity.internalServerError().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem));
    }

    /** Bean-validation failures of a request body: one problem naming the first field, all of them listed. */
    @Override
    protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(WebExchangeBindException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (FieldError error : ex.getFieldErrors()) {
            errors.add(Map.of("field", JsonNames.snake(error.getField()),
                    "message", String.valueOf(error.getDefaultMessage())));
        }
        errors.sort((a, b) -> a.get("field").compareTo(b.get("field")));
        String detail = errors.stream().map(e -> e.get("field") + ": " + e.get("message"))
                .collect(Collectors.joining("; "));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                detail.isEmpty() ? "invalid request" : detail);
        problem.setTitle("Invalid request");
        problem.setType(java.net.URI.create("urn:hogwild:problem:invalid-request"));
        if (!errors.isEmpty()) {
            problem.setProperty("field", errors.get(0).get("field"));
        }
        problem.setProperty("errors", errors);
        return Mono.just(ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem));
    }

    /** Unreadable bodies: name the JSON field Jackson stopped at (e.g. an unknown layout). */
    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        JacksonException json = findCause(ex, JacksonException.class);
        String field = null;
        String detail = ex.getReason() != null ? ex.getReason() : "the request could not be read";
        if (json != null) {
            field = json.getPath().stream()
                    .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            if (field.isEmpty()) {
                field = null;
            }
            detail = "the request body is not valid JSON for this endpoint" + (field != null ? " at " + field : "");
            InvalidFormatException format = findCause(ex, InvalidFormatException.class);
            if (format != null && format.getTargetType() != null && format.getTargetType().isEnum()) {
                String allowed = Arrays.stream(format.getTargetType().getEnumConstants())
                        .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
                detail = field + ": unknown value '" + format.getValue() + "'; expected one of " + allowed;
            } else if (format != null) {
                detail = field + ": '" + format.getValue() + "' is not a valid value";
            }
        } else if (ex.getMethodParameter() != null && ex.getMethodParameter().getParameterName() != null) {
            field = JsonNames.snake(ex.getMethodParameter().getParameterName());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid request");
        problem.setType(java.net.URI.create("urn:hogwild:problem:invalid-request"));
        if (field != null) {
            problem.setProperty("field", field);
        }
        return Mono.just(ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem));
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
