package io.hogwild.contracts.run;

/** Lifecycle of a run: {@code QUEUED -> RUNNING -> FINISHED | FAILED | CANCELLED}; the last three are final. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    FINISHED,
    FAILED,
    CANCELLED
}
