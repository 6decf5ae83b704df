package io.hogwild.collaboration.policy;

import java.util.Locale;

/**
 * A worker's answer to the self-check question, from the first word it writes after it: {@code yes}, {@code no}, or
 * {@code other} for any other word (or none at all before the step ended). Case, bold and punctuation around the word
 * do not matter ("**No,** I am...", "Yes.").
 */
public final class SelfCheckAnswer {

    public static final String YES = "yes";
    public static final String NO = "no";
    public static final String OTHER = "other";

    private SelfCheckAnswer() {
    }

    /**
     * The answer in {@code written} (the text after the question), or null while its first word may still grow;
     * {@code complete} says that nothing more will be written (the step ended).
     */
    public static String classify(CharSequence written, boolean complete) {
        int start = 0;
        while (start < written.length() && !Character.isLetter(written.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < written.length() && Character.isLetter(written.charAt(end))) {
            end++;
        }
        if (start == written.length()) {
            return complete ? OTHER : null;
        }
        if (end == written.length() && !complete) {
            return null;
        }
        String word = written.subSequence(start, end).toString().toLowerCase(Locale.ROOT);
        return word.equals(YES) ? YES : word.equals(NO) ? NO : OTHER;
    }
}
