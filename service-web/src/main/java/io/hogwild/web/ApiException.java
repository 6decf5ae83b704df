package io.hogwild.web;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * An error a service raises on purpose, answered as an RFC 9457 problem by {@link ProblemRenderer}: the status, a short
 * slug that becomes {@code type = urn:hogwild:problem:<slug>}, a title, the detail (this exception's message, shown to
 * the client as is, so it must never carry a secret or a stack trace), and optionally the offending {@code field}
 * (snake_case JSON path), a {@code Retry-After} duration, extra problem members and response headers.
 *
 * <p>No stack trace is recorded: these are expected outcomes, and the renderer never logs one for them.
 */
public class ApiException extends RuntimeException {

    /** The scheme of every problem {@code type} the services answer. */
    public static final String TYPE_PREFIX = "urn:hogwild:problem:";

    private final HttpStatusCode status;
    private final String slug;
    private final String title;
    private final Duration retryAfter;
    private String field;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final HttpHeaders headers = new HttpHeaders();

    public ApiException(HttpStatusCode status, String slug, String title, String detail, Duration retryAfter,
                        Throwable cause) {
        super(detail, cause, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public ApiException(HttpStatusCode status, String slug, String title, String detail) {
        this(status, slug, title, detail, null, null);
    }

    /** 400 naming {@code field} (snake_case path, may be null); the detail is prefixed with the field if needed. */
    public static ApiException badRequest(String field, String detail) {
        String named = field == null || detail.startsWith(field) ? detail : field + ": " + detail;
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", named).atField(field);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, "not-found", "Not found", detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, "conflict", "Conflict", detail);
    }

    /** 503 with {@code Retry-After}: the service (or what it depends on) has no room or is down for now. */
    public static ApiException unavailable(String slug, String title, String detail, Duration retryAfter) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, slug, title, detail, retryAfter, null);
    }

    /** 413 for a body above {@code limitBytes} (also a {@code max_bytes} member). */
    public static ApiException payloadTooLarge(long limitBytes) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
                "the request body is larger than the limit of " + limitBytes + " bytes").with("max_bytes", limitBytes);
    }

    public HttpStatusCode status() {
        return status;
    }

    /** The last part of the problem type, e.g. {@code invalid-request}. */
    public String slug() {
        return slug;
    }

    public URI type() {
        return URI.create(TYPE_PREFIX + slug);
    }

    public String title() {
        return title;
    }

    /** The offending part of the request as the client spelled it (snake_case JSON path), or null. */
    public String field() {
        return field;
    }

    /** When set, the response carries {@code Retry-After} in whole seconds (and {@code retry_after_seconds}). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Extra members of the problem document (e.g. {@code run_id}, {@code max_sessions}). */
    public Map<String, Object> properties() {
        return Collections.unmodifiableMap(properties);
    }

    /** Extra response headers (e.g. {@code WWW-Authenticate}). */
    public HttpHeaders headers() {
        return HttpHeaders.readOnlyHttpHeaders(headers);
    }

    public ApiException atField(String field) {
        this.field = field;
        return this;
    }

    public ApiException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public ApiException header(String name, String value) {
        headers.add(name, value);
        return this;
    }
}
