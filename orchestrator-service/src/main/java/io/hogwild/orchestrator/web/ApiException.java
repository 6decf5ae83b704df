package io.hogwild.orchestrator.web;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error with a known HTTP meaning, answered as an RFC 9457 problem. Subclasses name the problem type; the message is
 * the problem's detail and must make sense to the client (it never includes a stack trace).
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final URI type;
    private final Duration retryAfter;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public ApiException(HttpStatus status, String type, String title, String detail, Duration retryAfter,
                        Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.type = URI.create("urn:hogwild:problem:" + type);
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public ApiException(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, null, null);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI type() {
        return type;
    }

    /** When set, the response carries {@code Retry-After} in whole seconds. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Extra members of the problem document (e.g. {@code field}, {@code run_id}). */
    public Map<String, Object> properties() {
        return properties;
    }

    public ApiException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }
}
