package io.hogwild.contracts.worker;

/** Lifecycle of a session on a GPU worker. */
public enum SessionState {
    PREFILLING,
    RUNNING,
    FINISHED,
    CANCELLED,
    FAILED
}
