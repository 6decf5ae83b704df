package io.hogwild.orchestrator.workers;

import io.hogwild.web.ApiException;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * No room for another session right now: a GPU worker answered 503 (full), none in the registry has free capacity, or
 * our own bulkhead for it is full. Not a fault of the worker, so the circuit breaker ignores it.
 */
public class WorkerBusyException extends ApiException {

    public WorkerBusyException(String detail, Duration retryAfter) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "gpu-workers-busy", "No GPU capacity", detail, retryAfter, null);
    }
}
