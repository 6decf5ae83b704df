package io.hogwild.orchestrator.workers;

import io.hogwild.web.ApiException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * A GPU worker could not be reached: connection refused, timed out, broke a stream, or its circuit is open. Counts as
 * a failure for the circuit breaker.
 */
public class WorkerUnavailableException extends ApiException {

    public WorkerUnavailableException(String detail, Duration retryAfter, Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "gpu-worker-unavailable", "GPU worker unavailable", detail, retryAfter,
                cause);
    }
}
