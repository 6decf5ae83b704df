package io.hogwild.contracts.worker;

/** What a cache block holds; the GPU worker treats them alike, transcripts and inspection use the role. */
public enum BlockRole {
    /** The rendered prompt: rules, examples, the problem. Prefilled once. */
    PROMPT,
    /** A short standalone header (e.g. "history so far", "steps in progress"). Prefilled once. */
    HEADER,
    /** Finished steps promoted from workers' step blocks. */
    HISTORY,
    /** One worker's current, unfinished step. */
    WORKER_STEP,
    /** The interleaved layout's single block that all workers append to. */
    SHARED_STREAM
}
