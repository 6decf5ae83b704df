package io.hogwild.contracts.run;

/**
 * One worker's progress in a run, counted from the recorded events.
 *
 * @param name the worker, e.g. {@code Alice}
 * @param steps steps started
 * @param tokens tokens generated (EOS included; the finisher pass is nobody's)
 * @param currentStep the step it is writing (or wrote last)
 * @param state {@code waiting}, {@code generating}, {@code done} (it stopped: budget, EOS, context; or the run
 *     ended)
 */
public record RunWorkerProgress(String name, int steps, int tokens, int currentStep, String state) {}
