package io.hogwild.contracts.worker;

/**
 * The rules the GPU worker applies inside its token loop.
 *
 * @param stepPrefixFormat prefix fed at the start of each step; {@code {name}} and {@code {step}} are replaced,
 *     e.g. {@code "**{name} [{step}]:** "}
 * @param selfCheckEveryTokens insert {@code selfCheckText} at the start of the first step that begins after each
 *     multiple of this many generated tokens of a worker (0 = never)
 * @param selfCheckText the short question inserted after the step prefix
 * @param maxTokensPerWorker token budget of each worker (prefixes and inserted texts not counted)
 * @param maxStepTokens a step longer than this ends anyway (guards against a step that never ends)
 * @param finisherText fed to a worker whose budget ran out, asking for the final answer
 * @param finisherTokens greedy tokens generated after the finisher (not counted in the budget)
 * @param stopOnBoxedAnswer end the session when a worker writes a complete {@code \boxed{...}}
 */
public record CollaborationPolicy(
        String stepPrefixFormat,
        int selfCheckEveryTokens,
        String selfCheckText,
        int maxTokensPerWorker,
        int maxStepTokens,
        String finisherText,
        int finisherTokens,
        boolean stopOnBoxedAnswer) {}
