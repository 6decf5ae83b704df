package io.hogwild.contracts;

/**
 * How workers share the cache: the paper's three layouts and two baselines (DESIGN.md, "Collaboration protocol";
 * the exact blocks of each view are in collaboration/README.md).
 */
public enum Layout {
    /** Token-wise: each worker writes one growing block and sees every other worker's block live; no history. */
    CONTIGUOUS,
    /** Step-wise: only finished steps are shared, through the history; a worker sees its own current step only. */
    INTERLEAVED,
    /** The default: the shared history of finished steps plus every worker's current step, live. */
    COMBINED,
    /** Baseline: each worker alone with the prompt and its own steps. */
    INDEPENDENT,
    /** Baseline: one worker. */
    SINGLE
}
