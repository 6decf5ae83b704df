package io.hogwild.collaboration.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The text rules of the collaboration policy, on the text of one worker's current step.
 *
 * <p><b>Step end.</b> A step ends when its text ends with a blank line ({@code "\n\n"}) that directly follows the end
 * of a sentence: the last non-blank character before it is a sentence terminator of any script ({@link #TERMINATORS}:
 * {@code . ! ? …} and the CJK, Arabic, Urdu, Devanagari, Ethiopic, Armenian, Myanmar, Khmer, Mongolian, Georgian
 * ones), possibly followed by closing quotes, brackets, bold or math ({@link #CLOSERS}), as in {@code "...done.**"},
 * {@code "(see above.)"}, {@code "«Oui.»"} or {@code "$x = 2.$"}; or it is the closing brace of a complete
 * {@code \boxed{...}}, so a final answer on a line of its own ends its step. A blank line inside an open code fence
 * ({@code ```} or {@code ~~~}) or display-math block ({@code $$}) never ends a step; nor does one after a heading, a
 * list item without a terminator or a colon, so a step stays a coherent thought.
 *
 * <p><b>Closing a cut step.</b> A step cut short (too long, EOS, budget, context) is closed with whatever makes it end
 * in exactly one blank line, after closing any fence or math block still open ({@link #closingFor}).
 *
 * <p><b>Answers.</b> A valid {@code \boxed{...}} has balanced braces and non-blank content; its content is the answer.
 */
public final class StepText {

    public static final String SEPARATOR = "\n\n";

    /** Sentence terminators of many scripts (before the separator). */
    public static final String TERMINATORS = ".!?\u2026\u203D\u203C\u2047\u2048\u2049" // . ! ? … ‽ ‼ ⁇ ⁈ ⁉
            + "\u3002\uFF01\uFF1F\uFF0E\uFF61" // 。 ！ ？ ． ｡
            + "\u06D4\u061F\u0964\u0965" // ۔ ؟ । ॥
            + "\u1362\u1367\u0589\u104B\u17D4\u1803\u1809\u10FB" // ። ፧ ։ ။ ។ ᠃ ᠉ ჻
            + "\u0F0D\u0700\u0701\u0702\u07F9\u166E\u00B6\u2767"; // ། ܀ ܁ ܂ ߹ ᙮ ¶ ❧

    /** What may follow a terminator before the blank line: closing quotes, brackets, emphasis, math, code. */
    public static final String CLOSERS = "*_)]}\"'`$\\\u201D\u2019\u00BB\u203A\u300D\u300F\uFF09\u3011\u3009\u300B";

    private static final String BOXED = "\\boxed{";
    private static final List<String> BLOCK_DELIMITERS = List.of("```", "~~~", "$$");

    private StepText() {}

    /** True when the step's text ends with a blank line that ends the step (see the class comment). */
    public static boolean endsStep(CharSequence text) {
        int newlines = trailingNewlines(text);
        if (newlines < 2) {
            return false;
        }
        int end = text.length() - newlines;
        return sentenceEndsBefore(text, end) && openBlocks(text, end).isEmpty();
    }

    /** Newlines at the end of {@code text}. */
    public static int trailingNewlines(CharSequence text) {
        int n = 0;
        while (n < text.length() && text.charAt(text.length() - 1 - n) == '\n') {
            n++;
        }
        return n;
    }

    /** Whether the text before {@code end} ends a sentence (terminator, or a complete {@code \boxed{}}). */
    public static boolean sentenceEndsBefore(CharSequence text, int end) {
        int j = end - 1;
        while (j >= 0 && (text.charAt(j) == ' ' || text.charAt(j) == '\t' || text.charAt(j) == '\r')) {
            j--;
        }
        int beforeClosers = j;
        while (j >= 0 && (CLOSERS.indexOf(text.charAt(j)) >= 0 || text.charAt(j) == ' ')) {
            j--;
        }
        if (j >= 0 && TERMINATORS.indexOf(text.charAt(j)) >= 0) {
            return true;
        }
        // "\boxed{42}" (possibly inside "$...$" or bold) right before the blank line
        for (int k = beforeClosers; k > j; k--) {
            if (text.charAt(k) == '}' && closesValidBoxed(text.subSequence(0, k + 1).toString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fence and math delimiters ({@code ```}, {@code ~~~}, {@code $$}) still open before {@code end}, the one
     * opened last first.
     */
    public static List<String> openBlocks(CharSequence text, int end) {
        String s = text.subSequence(0, end).toString();
        List<int[]> open = new ArrayList<>(); // {delimiter index, position of its last occurrence}
        for (int d = 0; d < BLOCK_DELIMITERS.size(); d++) {
            String delimiter = BLOCK_DELIMITERS.get(d);
            int count = 0;
            int last = -1;
            for (int at = s.indexOf(delimiter); at >= 0; at = s.indexOf(delimiter, at + delimiter.length())) {
                count++;
                last = at;
            }
            if (count % 2 == 1) {
                open.add(new int[] {d, last});
            }
        }
        open.sort(Comparator.comparingInt((int[] o) -> o[1]).reversed());
        return open.stream().map(o -> BLOCK_DELIMITERS.get(o[0])).toList();
    }

    /**
     * What to append to a step that was cut so that it ends with exactly one blank line: the closing delimiter of
     * every block still open, each on its own line, then the missing newlines. Empty when the text already ends with
     * a blank line outside any block.
     */
    public static String closingFor(CharSequence text) {
        StringBuilder add = new StringBuilder();
        List<String> open = openBlocks(text, text.length());
        if (!open.isEmpty()) {
            if (trailingNewlines(text) == 0) {
                add.append('\n');
            }
            for (String delimiter : open) {
                add.append(delimiter).append('\n');
            }
        }
        int newlines = trailingNewlines(text.toString() + add);
        if (newlines < 2) {
            add.append("\n".repeat(2 - newlines));
        }
        return add.toString();
    }

    /** Every valid {@code \boxed{...}} content in {@code text}, in order. */
    public static List<String> validBoxed(CharSequence text) {
        String s = text.toString();
        List<String> found = new ArrayList<>();
        for (int at = s.indexOf(BOXED); at >= 0; at = s.indexOf(BOXED, at + 1)) {
            int open = at + BOXED.length();
            int close = closingBrace(s, open);
            if (close >= 0 && !s.substring(open, close).isBlank()) {
                found.add(s.substring(open, close).strip());
            }
        }
        return found;
    }

    /** The content of the last valid {@code \boxed{...}} in {@code text}, if any. */
    public static Optional<String> lastValidBoxed(CharSequence text) {
        List<String> all = validBoxed(text);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Whether {@code text} ends with the closing brace of a valid {@code \boxed{...}}. */
    private static boolean closesValidBoxed(String text) {
        for (int at = text.lastIndexOf(BOXED); at >= 0; at = at == 0 ? -1 : text.lastIndexOf(BOXED, at - 1)) {
            int open = at + BOXED.length();
            int close = closingBrace(text, open);
            if (close == text.length() - 1) {
                return !text.substring(open, close).isBlank();
            }
        }
        return false;
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
