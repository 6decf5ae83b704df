package io.hogwild.contracts.run;

import java.util.List;

/**
 * One step of one worker.
 *
 * @param step 1-based step number
 * @param prefix the prefix fed at its start, e.g. {@code **Alice [3]:** }
 * @param selfCheck the self-check question inserted at its start, if any
 * @param selfCheckAnswer the worker's answer to it ({@code yes}, {@code no}, {@code other}), once the step ended
 * @param text the whole step as the GPU worker reported it at its end (or the tokens so far, if unfinished)
 * @param tokens tokens the worker generated in it
 * @param startedAtMillis when it started
 * @param finishedAtMillis when it ended, null while unfinished
 * @param view the worker's view at the step's end: blocks in order with their lengths
 * @param end why it ended (see STEP_FINISHED), null while unfinished
 * @param promoted whether it was moved into the shared history
 */
public record TranscriptStep(
        int step,
        String prefix,
        String selfCheck,
        String selfCheckAnswer,
        String text,
        int tokens,
        long startedAtMillis,
        Long finishedAtMillis,
        List<BlockExtent> view,
        String end,
        boolean promoted) {}
