package io.hogwild.contracts;

/** How workers share the cache (see DESIGN.md, "Collaboration protocol"). */
public enum Layout {
    /** The paper's default: a shared history of finished steps plus everyone's current step. */
    COMBINED,
    /** Token-wise: every worker appends to one shared block. */
    INTERLEAVED,
    /** Baseline: no sharing beyond the prompt. */
    INDEPENDENT,
    /** Baseline: one worker. */
    SINGLE
}
