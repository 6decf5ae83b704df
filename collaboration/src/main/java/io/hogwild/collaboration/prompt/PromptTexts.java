package io.hogwild.collaboration.prompt;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.TextSpan;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The words of the collaboration protocol. Written for this project (the paper's structure, our own phrasing): keep
 * them short, because every worker attends to all of it on every step. Every fixed text is ASCII (the demo model's
 * tokenizer writes one token per ASCII character) and no section text starts with a newline: whatever comes before a
 * header already ends with its blank line, so a view never holds more than two newlines in a row.
 */
public final class PromptTexts {

    /** Prefix fed at the start of each step; the GPU worker substitutes the placeholders. */
    public static final String STEP_PREFIX_FORMAT = "**{name} [{step}]:** ";

    /** Fed after the prefix of a worker's first step, so that each starts with a line of its own. */
    public static final String OPENING_FORMAT = "Hello, {name} here. ";

    /** The separator that ends a step: a blank line after a finished sentence. */
    public static final String STEP_SEPARATOR = "\n\n";

    /**
     * The self-check: a yes/no question inserted after a step's prefix every few hundred tokens (counted over all
     * workers), which the worker answers in its own words; the first word it writes is recorded as its answer.
     */
    public static final String SELF_CHECK =
            "Before I go on: is someone else already doing what I am doing? (yes/no): ";

    /**
     * What the finisher appends to the merged text of a run that has no answer yet; it decodes greedily from the
     * open brace.
     */
    public static final String FINISHER =
            "### Final answer\n\nTime is up. Taking everything written above together, the final answer is \\boxed{";

    /** Before the shared history of finished steps. */
    public static final String HISTORY_HEADER = "### Finished steps\n\n";

    /** Before the other workers' unfinished steps (combined layout). */
    public static final String OTHERS_HEADER = "### Steps the others are still writing\n\n";

    /** Before the worker's own unfinished step, which is always last (combined, interleaved and the baselines). */
    public static final String OWN_HEADER = "### Your step in progress\n\n";

    /** Before the other workers' blocks in the contiguous layout, where a block is everything its worker wrote. */
    public static final String CONTIGUOUS_OTHERS_HEADER = "### What the others have written so far\n\n";

    /** Before the worker's own block in the contiguous layout. */
    public static final String CONTIGUOUS_OWN_HEADER = "### What you have written so far\n\n";

    /** After every unfinished step another worker is still writing: they go on from there, in parallel. */
    public static final String UNFINISHED_MARKER = " <...>\n\n";

    /** Before the unfinished steps in the finisher's merged text (it is nobody's own view). */
    public static final String UNFINISHED_HEADER = "### Steps still being written\n\n";

    private static final Pattern EXTRA_BLANK_LINES = Pattern.compile("\n{3,}");
    private static final String PROBLEM_LABEL = "Problem:\n";

    private PromptTexts() {
    }

    /** The system message: the setting, what each section of a worker's view holds, and how to work together. */
    public static String rules(List<String> names, Layout layout) {
        if (names.size() == 1 || layout == Layout.INDEPENDENT || layout == Layout.SINGLE) {
            return """
                    Solve the problem below step by step. Write short steps; each starts with your name and its \
                    number, e.g. "%s". End a step with a blank line after a finished sentence.

                    Your view has two sections: "%s" holds the steps you finished, in order; "%s" is the step you \
                    are writing now, always last: continue it.

                    Check your work as you go. When you are sure, give the final answer once, inside \\boxed{...}."""
                    .formatted(prefix(names.get(0), 1), title(HISTORY_HEADER), title(OWN_HEADER));
        }
        String sections = switch (layout) {
            case CONTIGUOUS -> """
                    - "%s": everything each of the others has written so far, live, word by word. Each block ends \
                    with <...> because its writer is still going.
                    - "%s": everything you have written so far, always last: continue it.""".formatted(
                    title(CONTIGUOUS_OTHERS_HEADER), title(CONTIGUOUS_OWN_HEADER));
            case INTERLEAVED -> """
                    - "%s": every step anyone has finished, in the order they were finished. You see the others' \
                    steps only once they are finished.
                    - "%s": the step you are writing now, always last: continue it.""".formatted(
                    title(HISTORY_HEADER), title(OWN_HEADER));
            default -> """
                    - "%s": every step anyone has finished, in the order they were finished.
                    - "%s": the steps the others are writing at this moment, word by word. Each ends with <...> \
                    because it is not finished yet.
                    - "%s": the step you are writing now, always last: continue it.""".formatted(
                    title(HISTORY_HEADER), title(OTHERS_HEADER), title(OWN_HEADER));
        };
        return """
                %d assistants (%s) solve the problem below together, all writing at the same time. Each writes \
                short steps that start with a name and a step number, e.g. "%s". A step ends with a blank line \
                after a finished sentence.

                What each of you sees:
                %s

                How to work well together:
                - Agree on a plan early and split the work. Say what you are about to do, so nobody repeats it.
                - Read what the others write. If someone already did or is doing your part, stop and do something \
                useful instead: check a result, try another approach, or take a part nobody has.
                - Now and then a step starts with a question whether you are repeating someone's work: answer it \
                honestly, yes or no, and act on your answer.
                - Use the others' results; correct them briefly if they are wrong.
                - When the team is confident, any one of you gives the final answer, once, inside \\boxed{...}."""
                .formatted(names.size(), joinNames(names), prefix(names.get(1), 2), sections);
    }

    /** An optional worked example that shows the sections exactly as a worker sees them, for the user message. */
    public static String fewShot(List<String> names, Layout layout) {
        String a = names.get(0);
        String b = names.size() > 1 ? names.get(1) : names.get(0);
        String problem = "Example (a different problem): How many positive divisors does 360 have?\n\n";
        String end = "End of example.\n";
        if (names.size() == 1 || layout == Layout.INDEPENDENT || layout == Layout.SINGLE) {
            return problem + "What you would see while writing your third step:\n\n" + HISTORY_HEADER
                    + prefix(a, 1) + opening(a) + "I will factor 360 and use the divisor-count formula.\n\n"
                    + prefix(a, 2) + "360 = 2^3 * 3^2 * 5.\n\n" + OWN_HEADER + prefix(a, 3)
                    + "So the count is (3+1)(2+1)(1+1) = 24. Final answer: \\boxed{24}\n\n" + end;
        }
        String first = prefix(a, 1) + opening(a) + "Plan: I factor 360, " + b
                + " counts the divisors by listing them, then we compare.\n\n";
        String second = prefix(b, 1) + opening(b) + "Agreed, I am listing the divisors.\n\n";
        String aliceNow = prefix(a, 2) + "360 = 2^3 * 3^2 * 5, so the count is (3+1)(2+1)(1+1) = 24.\n\n";
        String bobNow = prefix(b, 2) + "Listing them: 1, 2, 3, 4, 5, 6, 8, 9, 10, 12,";
        String view = switch (layout) {
            case CONTIGUOUS -> CONTIGUOUS_OTHERS_HEADER + second + bobNow + UNFINISHED_MARKER
                    + CONTIGUOUS_OWN_HEADER + first + aliceNow + prefix(a, 3);
            case INTERLEAVED -> HISTORY_HEADER + first + second + aliceNow + OWN_HEADER + prefix(a, 3);
            default -> HISTORY_HEADER + first + second + aliceNow + OTHERS_HEADER + bobNow + UNFINISHED_MARKER
                    + OWN_HEADER + prefix(a, 3);
        };
        return problem + "What " + a + " would see while writing a third step:\n\n" + view
                + b + " is still counting; 24 agrees with the formula, so: \\boxed{24}\n\n" + end;
    }

    /** The user message: optional example, then the task. */
    public static String task(String problem, List<String> names, Layout layout, boolean fewShot) {
        String examples = fewShot ? fewShot(names, layout) + "\n" : "";
        return examples + PROBLEM_LABEL + problemText(problem);
    }

    /** The problem as the task shows it: stripped, runs of blank lines collapsed to one. */
    public static String problemText(String problem) {
        return EXTRA_BLANK_LINES.matcher(problem.strip()).replaceAll("\n\n");
    }

    /**
     * Where the caller's problem sits in a rendered prompt: after the last {@code Problem:} label followed by it (the
     * task is the last message, so nothing the caller wrote can come after it). The GPU worker tokenizes that range
     * as plain text. Fails when the chat template changed the text, since the range could not be told apart then.
     */
    public static TextSpan problemSpan(String renderedPrompt, String problem) {
        String text = problemText(problem);
        int at = renderedPrompt.lastIndexOf(PROBLEM_LABEL + text);
        if (at < 0) {
            throw new IllegalArgumentException("the rendered prompt does not hold the problem as written; the chat "
                    + "template must insert message contents unchanged");
        }
        int start = at + PROBLEM_LABEL.length();
        return new TextSpan(start, start + text.length());
    }

    /** {@code format} with {@code {name}} and {@code {step}} replaced. */
    public static String stepPrefix(String format, String name, int step) {
        return format.replace("{name}", name).replace("{step}", Integer.toString(step));
    }

    private static String prefix(String name, int step) {
        return stepPrefix(STEP_PREFIX_FORMAT, name, step);
    }

    private static String opening(String name) {
        return stepPrefix(OPENING_FORMAT, name, 1);
    }

    /** A header's words without the hashes and the blank line, for the rules. */
    private static String title(String header) {
        return header.replace("#", "").strip();
    }

    private static String joinNames(List<String> names) {
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
