package io.hogwild.gateway.orchestrator;

import io.hogwild.web.ApiException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** The orchestrator could not be reached, did not answer in time, or its circuit is open: 503 with Retry-After. */
public class OrchestratorUnavailableException extends ApiException {

    public OrchestratorUnavailableException(String detail, Duration retryAfter, Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "orchestrator-unavailable", "Orchestrator unavailable", detail,
                retryAfter, cause);
    }
}
