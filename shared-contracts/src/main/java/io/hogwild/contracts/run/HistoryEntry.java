package io.hogwild.contracts.run;

/**
 * One step in the shared history, in promotion order.
 *
 * @param index 0-based position in the history
 * @param worker who wrote it
 * @param step that worker's step number
 * @param text the step's text
 * @param historyBlock the block it was promoted into
 * @param historyLength the history block's length in tokens after the promotion
 * @param promotedAtMillis when
 */
public record HistoryEntry(int index, String worker, int step, String text, String historyBlock,
                           Integer historyLength, long promotedAtMillis) {}
