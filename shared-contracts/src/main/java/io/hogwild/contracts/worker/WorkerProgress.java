package io.hogwild.contracts.worker;

/**
 * One worker's counters.
 *
 * @param name the worker
 * @param steps steps started
 * @param tokens tokens generated (budgeted tokens; prefixes and inserted texts not counted)
 * @param state {@code generating}, or {@code done} once it stopped (budget, EOS, context) or the session ended
 */
public record WorkerProgress(String name, int steps, int tokens, String state) {}
