package io.hogwild.contracts.worker;

/** What a cache block holds; the GPU worker treats them alike, transcripts and inspection use the role. */
public enum BlockRole {
    /** The rendered prompt: rules, examples, the problem. Prefilled once. */
    PROMPT,
    /** A short fixed section header (finished steps, the others' steps, the worker's own step). Prefilled once. */
    HEADER,
    /** Finished steps promoted from workers' step blocks. */
    HISTORY,
    /** One worker's current, unfinished step (in the contiguous layout: everything it wrote). */
    WORKER_STEP,
    /** The "unfinished" marker and blank line shown after another worker's step block; one per worker. */
    UNFINISHED_MARKER
}
