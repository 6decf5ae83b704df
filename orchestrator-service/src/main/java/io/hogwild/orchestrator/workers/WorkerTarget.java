package io.hogwild.orchestrator.workers;

/** A GPU worker to call: its registry id (names its circuit breaker and bulkhead) and base URL. */
public record WorkerTarget(String id, String url) {}
