package io.hogwild.orchestrator.workers;

import io.hogwild.web.ApiException;
import org.springframework.http.HttpStatus;

/**
 * The GPU worker refused a call as invalid (4xx other than 503) or answered something unusable. The worker is healthy,
 * so the circuit breaker ignores it; the client sees 502 with the worker's own explanation.
 */
public class WorkerRejectedException extends ApiException {

    private final int workerStatus;

    public WorkerRejectedException(String detail) {
        this(detail, 0);
    }

    /** {@code workerStatus}: the worker's HTTP status (e.g. 409 for a session id it already has), 0 if none. */
    public WorkerRejectedException(String detail, int workerStatus) {
        super(HttpStatus.BAD_GATEWAY, "gpu-worker-rejected", "GPU worker rejected the call", detail);
        this.workerStatus = workerStatus;
    }

    public int workerStatus() {
        return workerStatus;
    }
}
