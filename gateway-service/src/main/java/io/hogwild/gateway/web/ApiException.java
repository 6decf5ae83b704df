package io.hogwild.gateway.web;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

/**
 * An error with a known HTTP meaning, answered as an RFC 9457 problem by {@link ProblemExceptionHandler}. The message
 * is the problem's {@code detail} and is shown to the client as is, so it must never carry a key or a stack trace.
 */
public class ApiException extends RuntimeException {

    private final HttpStatusCode status;
    private final String title;
    private final URI type;
    private final Duration retryAfter;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final HttpHeaders headers = new HttpHeaders();

    public ApiException(HttpStatusCode status, String type, String title, String detail, Duration retryAfter,
                        Throwable cause) {
        super(detail, cause, false, false);
        this.status = status;
        this.type = URI.create("urn:hogwild:problem:" + type);
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public ApiException(HttpStatusCode status, String type, String title, String detail) {
        this(status, type, title, detail, null, null);
    }

    public static ApiException badRequest(String field, String detail) {
        return new ApiException(HttpStatusCode.valueOf(400), "invalid-request", "Invalid request",
                detail.startsWith(field) ? detail : field + ": " + detail).with("field", field);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatusCode.valueOf(404), "not-found", "Not found", detail);
    }

    public HttpStatusCode status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI type() {
        return type;
    }

    /** When set, the response carries {@code Retry-After} in whole seconds (and {@code retry_after_seconds}). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Extra members of the problem document (e.g. {@code field}, {@code run_id}). */
    public Map<String, Object> properties() {
        return properties;
    }

    /** Extra response headers (e.g. {@code WWW-Authenticate}). */
    public HttpHeaders headers() {
        return headers;
    }

    public ApiException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public ApiException header(String name, String value) {
        headers.set(name, value);
        return this;
    }
}
