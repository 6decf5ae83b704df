package io.hogwild.worker.web;

import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error with an HTTP status and a message meant for the client (404 unknown session, 409 duplicate id, 503 no
 * room). {@code retryAfter} becomes a {@code Retry-After} header; {@code properties} extra problem members.
 */
public class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final Duration retryAfter;
    private final Map<String, Object> properties;

    public ProblemException(HttpStatus status, String message, Duration retryAfter, Map<String, Object> properties) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
        this.properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public static ProblemException notFound(String message) {
        return new ProblemException(HttpStatus.NOT_FOUND, message, null, null);
    }

    public HttpStatus status() {
        return status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}
