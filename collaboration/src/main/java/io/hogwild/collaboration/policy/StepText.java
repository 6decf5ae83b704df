package io.hogwild.collaboration.policy;

import java.util.Optional;

/**
 * The text rules of the collaboration policy, on the text of one worker's current step.
 *
 * <p><b>Step end.</b> A step ends at a blank line ({@code "\n\n"}) that directly follows the end of a sentence:
 * the last non-blank character before it is {@code .}, {@code !} or {@code ?}, possibly followed by closing
 * {@code *} (bold), {@code )} or {@code $} (math), as in {@code "...done.**"}, {@code "(see above.)"} or
 * {@code "$x = 2.$"}. A blank line inside a fenced code block (an odd number of {@code ```} before it) never ends
 * a step: code keeps its blank lines. A blank line after a heading, a list item without a period or a colon does
 * not end the step either, so a step stays a coherent thought.
 *
 * <p><b>Final answer.</b> A complete {@code \boxed{...}} with balanced braces; its content is the answer.
 */
public final class StepText {

    private static final String BOXED = "\\boxed{";
    private static final String FENCE = "```";

    private StepText() {}

    /**
     * True when a step-ending blank line was completed by the text appended at {@code newFrom} (earlier blank lines
     * were judged when they appeared).
     */
    public static boolean endsStep(CharSequence text, int newFrom) {
        for (int i = Math.max(0, newFrom - 1); i + 1 < text.length(); i++) {
            if (text.charAt(i) == '\n' && text.charAt(i + 1) == '\n' && i + 1 >= newFrom
                    && sentenceEndsBefore(text, i) && !insideFence(text, i)) {
                return true;
            }
        }
        return false;
    }

    public static boolean sentenceEndsBefore(CharSequence text, int end) {
        int j = end - 1;
        while (j >= 0 && (text.charAt(j) == ' ' || text.charAt(j) == '\t' || text.charAt(j) == '\r')) {
            j--;
        }
        while (j >= 0 && (text.charAt(j) == '*' || text.charAt(j) == ')' || text.charAt(j) == '$')) {
            j--;
        }
        return j >= 0 && ".!?".indexOf(text.charAt(j)) >= 0;
    }

    public static boolean insideFence(CharSequence text, int end) {
        int fences = 0;
        String s = text.subSequence(0, end).toString();
        for (int at = s.indexOf(FENCE); at >= 0; at = s.indexOf(FENCE, at + FENCE.length())) {
            fences++;
        }
        return fences % 2 == 1;
    }

    /**
     * The content of the last complete {@code \boxed{...}} whose closing brace lies at or after {@code newFrom}
     * (i.e. was just written), if any.
     */
    public static Optional<String> boxedCompletedIn(CharSequence text, int newFrom) {
        String s = text.toString();
        String found = null;
        for (int at = s.indexOf(BOXED); at >= 0; at = s.indexOf(BOXED, at + 1)) {
            int open = at + BOXED.length();
            int close = closingBrace(s, open);
            if (close >= 0 && close >= newFrom) {
                found = s.substring(open, close);
            }
        }
        return Optional.ofNullable(found);
    }

    /** Index of the brace closing the group that starts at {@code from} (just after its '{'), or -1. */
    private static int closingBrace(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
                i++; // an escaped brace, e.g. \{ in a set, does not nest
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
