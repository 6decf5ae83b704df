package io.hogwild.contracts.run;

import java.util.List;

/**
 * One step of one worker.
 *
 * @param step 1-based step number
 * @param prefix the prefix fed at its start, e.g. {@code **Alice [3]:** }
 * @param selfCheck the self-check question inserted at its start, if any
 * @param text the whole step as the GPU worker reported it at its end (or the tokens so far, if unfinished)
 * @param tokens tokens the worker generated in it
 * @param startedAtMillis when it started
 * @param finishedAtMillis when it ended, null while unfinished
 * @param view the worker's view at the step's end: blocks in order with their lengths
 * @param promoted whether it was moved into the shared history
 * @param finisher whether it was written after the finisher prompt
 */
public record TranscriptStep(
        int step,
        String prefix,
        String selfCheck,
        String text,
        int tokens,
        long startedAtMillis,
        Long finishedAtMillis,
        List<BlockExtent> view,
        boolean promoted,
        boolean finisher) {}
