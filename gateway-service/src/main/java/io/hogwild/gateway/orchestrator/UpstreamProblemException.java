package io.hogwild.gateway.orchestrator;

import io.hogwild.web.ApiException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatusCode;

/**
 * A problem the orchestrator answered (400 with the field, 404, 409, 503 with Retry-After, ...), passed on to the
 * client with the same status, title, detail and extra members: the orchestrator already speaks RFC 9457.
 */
public class UpstreamProblemException extends ApiException {

    /** Members the gateway writes itself. */
    private static final Set<String> OWN = Set.of("type", "title", "status", "detail", "instance",
            "retry_after_seconds");

    public UpstreamProblemException(HttpStatusCode status, Map<String, Object> problem, Duration retryAfter) {
        super(status, typeName(problem), text(problem, "title", "Orchestrator error"),
                text(problem, "detail", "the orchestrator answered " + status.value()), retryAfter, null);
        problem.forEach((name, value) -> {
            if (name.equals("field") && value != null) {
                atField(value.toString());
            } else if (!OWN.contains(name)) {
                with(name, value);
            }
        });
    }

    /** The run the failed request still recorded, if the orchestrator says so. */
    public String runId() {
        Object id = properties().get("run_id");
        return id == null ? null : id.toString();
    }

    private static String typeName(Map<String, Object> problem) {
        Object type = problem.get("type");
        if (type instanceof String s && s.startsWith(TYPE_PREFIX) && s.length() > TYPE_PREFIX.length()) {
            return s.substring(TYPE_PREFIX.length());
        }
        return "orchestrator";
    }

    private static String text(Map<String, Object> problem, String name, String fallback) {
        Object value = problem.get(name);
        return value == null || value.toString().isBlank() ? fallback : value.toString();
    }
}
