package io.hogwild.contracts.run;

/**
 * What a run's event log records: the orchestrator's own lifecycle events plus every event the GPU worker streamed
 * (same names as {@link io.hogwild.contracts.worker.SessionEventType}).
 */
public enum RunEventType {
    /** Accepted and recorded; data: layout, workers. */
    RUN_QUEUED,
    /** The GPU worker accepted the session; data: gpu_worker, session_id. */
    RUN_STARTED,

    SESSION_STARTED,
    PREFILL_FINISHED,
    STEP_STARTED,
    SELF_CHECK_INSERTED,
    TOKENS,
    STEP_FINISHED,
    STEP_PROMOTED,
    BUDGET_EXHAUSTED,
    FINISHER_STARTED,
    FINAL_ANSWER,
    SESSION_FINISHED,
    ERROR,

    /** A cancel was requested. */
    CANCEL_REQUESTED,
    /** The run reached its final state; text: the failure reason where there is one; data: status. */
    RUN_ENDED
}
