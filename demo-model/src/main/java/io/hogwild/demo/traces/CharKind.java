package io.hogwild.demo.traces;

/** Why a character is in a worker's text, which decides whether a training example learns to predict it. */
public enum CharKind {
    /** Fed by the platform (step prefix): never predicted. */
    FED,
    /** A choice made from what the worker saw at that moment (which item, wait, answer, "taken"). */
    DECISION,
    /** Follows from the problem and the worker's own text (copying an item, its result, punctuation). */
    WORK,
    /** A deliberately wrong choice, so that traces show the recovery; never learned itself. */
    MISTAKE
}
