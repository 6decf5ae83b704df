package io.hogwild.client;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway answered with an error (an RFC 9457 problem): its status, {@code type}, {@code title},
 * {@code detail}, the offending {@code field} of a request error, {@code Retry-After} when waiting helps, and every
 * other member. Each status a caller handles differently has its own subclass; {@link #of} picks it.
 */
public class HogwildApiException extends HogwildException {

    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final String field;
    private final Duration retryAfter;
    private final Map<String, Object> problem;

    public HogwildApiException(int status, Map<String, Object> problem, Duration retryAfter) {
        super(message(status, problem), null);
        this.status = status;
        this.type = text(problem, "type");
        this.title = text(problem, "title");
        this.detail = text(problem, "detail");
        this.field = text(problem, "field");
        this.retryAfter = retryAfter;
        this.problem = Collections.unmodifiableMap(new LinkedHashMap<>(problem));
    }

    /** The exception for {@code status}: a subclass where callers act differently on it. */
    public static HogwildApiException of(int status, Map<String, Object> problem, Duration retryAfter) {
        return switch (status) {
            case 400, 413, 415, 422 -> new InvalidRequestException(status, problem);
            case 401 -> new UnauthorizedException(problem);
            case 403 -> new ForbiddenException(problem);
            case 404 -> new NotFoundException(problem);
            case 409 -> new ConflictException(problem);
            case 429 -> new RateLimitedException(problem, retryAfter);
            case 502, 503, 504 -> new ServiceUnavailableException(status, problem, retryAfter);
            default -> new HogwildApiException(status, problem, retryAfter);
        };
    }

    public int status() {
        return status;
    }

    /** The problem type, e.g. {@code urn:hogwild:problem:invalid-request}; null when the body had none. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** The request field at fault (snake_case JSON path), or null. */
    public String field() {
        return field;
    }

    /** How long to wait before trying again, when the gateway said so. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The whole problem document, e.g. {@code run_id} of a run that was recorded although it failed to start. */
    public Map<String, Object> problem() {
        return problem;
    }

    private static String message(int status, Map<String, Object> problem) {
        String detail = text(problem, "detail");
        if (detail == null) {
            detail = text(problem, "title");
        }
        String field = text(problem, "field");
        return "HTTP " + status + (detail != null ? ": " + detail : "") + (field != null ? " (field " + field + ")"
                : "");
    }

    private static String text(Map<String, Object> problem, String name) {
        Object value = problem.get(name);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }
}
