package io.hogwild.contracts.event;

/**
 * What happened: the one vocabulary of events. The GPU worker streams the session's events; the orchestrator records
 * them in the run's log between its own lifecycle events (RUN_QUEUED, RUN_STARTED, RUN_RESUMED, CANCEL_REQUESTED, RUN_ENDED).
 * Each type has exactly one payload record in {@link EventData}, named after it; on the wire the name of the constant
 * is the {@code type} of the event's JSON and its SSE {@code event:} name.
 */
public enum EventType {
    /** The orchestrator accepted and recorded a run. */
    RUN_QUEUED,
    /** The GPU worker accepted the run's session. */
    RUN_STARTED,
    /** The run's GPU worker went away; its session was rebuilt on another GPU worker from the log and goes on there. */
    RUN_RESUMED,
    /** The GPU worker accepted a session's plan. */
    SESSION_STARTED,
    /** The initial blocks (prompt, headers, markers) are in the cache: their token ids and texts. */
    PREFILL_FINISHED,
    /** What every worker wrote into the cache in one lockstep pass. */
    PASS_WRITTEN,
    /** A worker started a step. */
    STEP_STARTED,
    /** A self-check question was inserted at the start of a worker's step (its answer is on STEP_FINISHED). */
    SELF_CHECK_INSERTED,
    /** Tokens a worker generated in one lockstep pass. */
    TOKENS,
    /** A worker's step ended. */
    STEP_FINISHED,
    /** A finished step moved from the worker's step block into its history block. */
    STEP_PROMOTED,
    /** A worker used up its token budget and stopped. */
    BUDGET_EXHAUSTED,
    /** The session's collaboration ended without an answer: one greedy pass over the merged text asks for it. */
    FINISHER_STARTED,
    /** The finisher pass generated its tokens. */
    FINISHER_FINISHED,
    /** The run's answer and who gave it. */
    FINAL_ANSWER,
    /** The session ended: always the GPU worker's last event. */
    SESSION_FINISHED,
    /** The session failed; SESSION_FINISHED follows. */
    ERROR,
    /** Someone asked the orchestrator to cancel the run. */
    CANCEL_REQUESTED,
    /** The run reached its final status: always the last event of a run's log. */
    RUN_ENDED,
    /** A queued run's place in the queue changed: streamed to followers only, never recorded in the log. */
    QUEUE_POSITION
}
