package io.hogwild.contracts.worker;

/** What happened in a session; events stream from the GPU worker in this vocabulary. */
public enum SessionEventType {
    /** Plan accepted; data: layout, workers. */
    SESSION_STARTED,
    /** Initial blocks are in the cache; data: tokens per block. */
    PREFILL_FINISHED,
    /** A worker started a step; step, text = the prefix fed. */
    STEP_STARTED,
    /** A self-check question was inserted at the start of a worker's step; text = the question. */
    SELF_CHECK_INSERTED,
    /** Tokens a worker generated in one lockstep pass; tokenIds, text = the decoded delta. */
    TOKENS,
    /** A worker's step ended; text = the whole step, data: tokens, view = [[block, length], ...] of its view. */
    STEP_FINISHED,
    /** A finished step moved into the history; data: source, target, history_length. */
    STEP_PROMOTED,
    /** A worker used up its token budget; the finisher follows. */
    BUDGET_EXHAUSTED,
    /** The finisher text was fed to a worker; text = the finisher. */
    FINISHER_STARTED,
    /** A worker wrote a final answer; text = the answer inside \boxed{}. */
    FINAL_ANSWER,
    /** The session ended; data: reason (answer, budget, cancelled, error), steps, tokens. */
    SESSION_FINISHED,
    /** The session failed; text = what went wrong. Always followed by SESSION_FINISHED. */
    ERROR
}
