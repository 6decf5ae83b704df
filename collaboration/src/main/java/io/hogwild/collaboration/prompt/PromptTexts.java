package io.hogwild.collaboration.prompt;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The words of the collaboration protocol. Written for this project (the paper's structure, our own phrasing): keep
 * them short, because every worker attends to all of it on every step.
 */
public final class PromptTexts {

    /** Prefix fed at the start of each step; the GPU worker substitutes the placeholders. */
    public static final String STEP_PREFIX_FORMAT = "**{name} [{step}]:** ";

    /** Asked at the start of a step every few hundred tokens, to make workers notice duplicated effort. */
    public static final String SELF_CHECK =
            "(Quick check: is anyone else already doing what I am about to do? If so, I should switch to something "
                    + "nobody covers.) ";

    /** Fed when a worker's budget is spent. */
    public static final String FINISHER =
            "\n\nTime is up. Based on everything written so far, the final answer is \\boxed{";

    public static final String HISTORY_HEADER = "\n\n### Shared notes (finished steps of all workers)\n\n";

    public static final String IN_PROGRESS_HEADER = "\n\n### Steps being written right now\n\n";

    private PromptTexts() {
    }

    /** The system message: who the workers are and how they should work together. */
    public static String rules(List<String> names) {
        if (names.size() == 1) {
            return """
                    You are %s, solving a problem step by step. Write your reasoning in short steps, each starting \
                    with your name and the step number. Check your work as you go. When you are sure, give the \
                    final answer once, inside \\boxed{...}.""".formatted(names.get(0));
        }
        return """
                You are one of %d workers (%s) solving the same problem together, all writing at the same time.

                How it works:
                - Each of you writes in short steps that start with your name and step number, e.g. "**%s [2]:**".
                - Finished steps of every worker appear in a shared section that all of you read. The step each \
                worker is writing right now is visible too, word by word, below it.
                - Nobody waits for anybody: read what the others wrote and are writing before you continue.

                How to work well together:
                - Start by proposing a plan and who does which part; agree quickly and then split the work.
                - Say what you are about to do before you do it, so the others do not repeat it.
                - If you see that someone already did (or is doing) your part, stop and pick something useful \
                instead: check their result, try another approach, or take the next open subtask.
                - Use results the others found; correct them briefly if they are wrong.
                - Any one of you may give the final answer as soon as the team is confident, exactly once, inside \
                \\boxed{...}.""".formatted(names.size(), joinNames(names), names.get(0));
    }

    /** Optional worked examples that show the style of collaboration, for the user message. */
    public static String fewShot(List<String> names) {
        String a = names.get(0);
        String b = names.size() > 1 ? names.get(1) : names.get(0);
        return """
                Example of good teamwork (a different problem):

                Problem: How many positive divisors does 360 have?

                **%1$s [1]:** Plan: factor 360, then use the divisor-count formula. I will factor; %2$s, can you \
                check the result by listing divisors?

                **%2$s [1]:** Agreed. I will count divisors directly while %1$s factors.

                **%1$s [2]:** 360 = 2^3 * 3^2 * 5, so the count is (3+1)(2+1)(1+1) = 24.

                **%2$s [2]:** My listing also gives 24 divisors, which matches. Final answer: \\boxed{24}

                End of example.
                """.formatted(a, b);
    }

    /** The user message: optional examples, then the task. */
    public static String task(String problem, List<String> names, boolean fewShot) {
        String examples = fewShot ? fewShot(names) + "\n" : "";
        return examples + "Problem:\n" + problem.strip();
    }

    private static String joinNames(List<String> names) {
        if (names.size() == 2) {
            return names.get(0) + " and " + names.get(1);
        }
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", "))
                + " and " + names.get(names.size() - 1);
    }
}
