package io.hogwild.demo.traces;

/** Why a character is in a worker's text, which decides whether a training example learns to predict it. */
public enum CharKind {
    /** Fed by the platform (step prefix): never predicted. */
    FED,
    /** A choice made from what the worker saw at that moment (which item, wait, answer, "taken"). */
    DECISION,
    /** Follows from the format and the worker's own text (punctuation, the answer's letters). */
    WORK,
    /**
     * An item's content: its operands and operator, copied from the problem, and its result; a result copied into
     * the answer from the step that computed it. What a small model learns last, so the loss weighs it more.
     */
    LOOKUP,
    /** A deliberately wrong choice, so that traces show the recovery; never learned itself. */
    MISTAKE
}
