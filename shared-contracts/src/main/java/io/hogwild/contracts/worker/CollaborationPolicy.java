package io.hogwild.contracts.worker;

/**
 * The rules the GPU worker applies inside its token loop (collaboration/README.md describes them exactly).
 *
 * @param stepPrefixFormat prefix fed at the start of each step; {@code {name}} and {@code {step}} are replaced,
 *     e.g. {@code "**{name} [{step}]:** "}
 * @param openingFormat fed after the prefix of each worker's first step ({@code {name}} replaced), e.g.
 *     {@code "Hello, {name} here. "}; empty or null for none
 * @param selfCheckEveryTokens the self-check question is inserted at the start of the next step any worker starts
 *     once the workers together generated this many tokens since the last one (0 = never)
 * @param selfCheckText the yes/no question inserted after the step prefix; the worker's answer is recorded
 * @param maxTokensPerWorker token budget of each worker (prefixes and inserted texts not counted)
 * @param maxStepTokens a step longer than this ends anyway (guards against a step that never ends)
 * @param finisherText appended to the merged text of the run when no answer is there yet, asking for the answer
 * @param finisherTokens greedy tokens the finisher generates (0 = no finisher)
 * @param stopOnBoxedAnswer end the session when a worker finishes a step that holds a valid {@code \boxed{...}}
 * @param historyHeader the finisher's merged text: the header before the finished steps
 * @param unfinishedHeader the finisher's merged text: the header before the steps still being written
 * @param unfinishedMarker the finisher's merged text: what follows each unfinished step (marker and blank line)
 */
public record CollaborationPolicy(
        String stepPrefixFormat,
        String openingFormat,
        int selfCheckEveryTokens,
        String selfCheckText,
        int maxTokensPerWorker,
        int maxStepTokens,
        String finisherText,
        int finisherTokens,
        boolean stopOnBoxedAnswer,
        String historyHeader,
        String unfinishedHeader,
        String unfinishedMarker) {}
