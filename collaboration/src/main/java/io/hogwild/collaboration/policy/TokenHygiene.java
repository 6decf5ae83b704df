package io.hogwild.collaboration.policy;

import io.hogwild.contracts.worker.ModelInfo.ReasoningTags;
import java.util.BitSet;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tokens a worker may not write while the workers collaborate, and which end its generation, from the
 * checkpoint's own vocabulary (no model names anywhere):
 * <ul>
 *   <li>always suppressed: the special added tokens (chat markers such as {@code <|im_start|>}), bos and pad, the
 *       reasoning tags ({@code <think>}, {@code </think>}: a worker must not leave or reopen its thinking block in
 *       the shared text), tokens with a newline followed by {@code #} (they would start a section header of their
 *       own) and tokens with three newlines;</li>
 *   <li>at the start of a line (the step's text ends with a newline): tokens that start with {@code #};</li>
 *   <li>after one newline, tokens that start with two; after a blank line, tokens that start with one: no view ever
 *       holds more than two newlines in a row.</li>
 * </ul>
 * EOS ids are never suppressed (the policy handles EOS: it ends the worker and is never written to the cache), even
 * when the pad token is one of them.
 */
public final class TokenHygiene {

    private static final Pattern HEADER_INSIDE = Pattern.compile("\n[ \t]*#");
    private static final Pattern REASONING_TAG = Pattern.compile("<([A-Za-z_]*(?:think|thought|reason)[A-Za-z_]*)>");

    private final Set<Integer> eos;
    private final BitSet always;
    private final BitSet lineStart;
    private final BitSet leadingNewline;
    private final BitSet leadingBlankLine;

    private TokenHygiene(Set<Integer> eos, BitSet always, BitSet lineStart, BitSet leadingNewline,
                         BitSet leadingBlankLine) {
        this.eos = Set.copyOf(eos);
        this.always = always;
        this.lineStart = lineStart;
        this.leadingNewline = leadingNewline;
        this.leadingBlankLine = leadingBlankLine;
    }

    /** Nothing suppressed; {@code eos} ends a worker. */
    public static TokenHygiene none(Set<Integer> eos) {
        return new TokenHygiene(eos, new BitSet(), new BitSet(), new BitSet(), new BitSet());
    }

    /**
     * @param texts each token id's decoded text, by id
     * @param eos the ids that end generation
     * @param forbidden ids suppressed whatever their text (special added tokens, bos, pad, reasoning tags)
     */
    public static TokenHygiene of(String[] texts, Set<Integer> eos, Collection<Integer> forbidden) {
        BitSet always = new BitSet(texts.length);
        BitSet lineStart = new BitSet(texts.length);
        BitSet leadingNewline = new BitSet(texts.length);
        BitSet leadingBlankLine = new BitSet(texts.length);
        forbidden.forEach(id -> {
            if (id >= 0 && id < texts.length) {
                always.set(id);
            }
        });
        for (int id = 0; id < texts.length; id++) {
            String text = texts[id];
            if (text == null || text.isEmpty()) {
                continue;
            }
            if (text.contains("\n\n\n") || HEADER_INSIDE.matcher(text).find()) {
                always.set(id);
            }
            if (text.stripLeading().startsWith("#") && !text.startsWith("\n")) {
                lineStart.set(id);
            }
            if (text.startsWith("\n")) {
                leadingNewline.set(id);
            }
            if (text.startsWith("\n\n")) {
                leadingBlankLine.set(id);
            }
        }
        for (BitSet set : new BitSet[] {always, lineStart, leadingNewline, leadingBlankLine}) {
            eos.forEach(id -> {
                if (id >= 0) {
                    set.clear(id);
                }
            });
        }
        return new TokenHygiene(eos, always, lineStart, leadingNewline, leadingBlankLine);
    }

    /**
     * The thinking tags among a tokenizer's added tokens: an {@code <x>}/{@code </x>} pair whose name speaks of
     * thinking or reasoning (e.g. {@code <think>}/{@code </think>}).
     */
    public static Optional<ReasoningTags> reasoningTags(Collection<String> addedTokens) {
        for (String token : addedTokens) {
            Matcher m = REASONING_TAG.matcher(token);
            if (m.matches() && addedTokens.contains("</" + m.group(1) + ">")) {
                return Optional.of(new ReasoningTags(token, "</" + m.group(1) + ">"));
            }
        }
        return Optional.empty();
    }

    public boolean isEos(int token) {
        return eos.contains(token);
    }

    public Set<Integer> eos() {
        return eos;
    }

    /** The ids suppressed whatever the text before them. */
    public BitSet always() {
        return (BitSet) always.clone();
    }

    /** The ids suppressed for the next token of a step whose text so far is {@code stepText}. */
    public BitSet suppressedAfter(CharSequence stepText) {
        BitSet out = always();
        int newlines = StepText.trailingNewlines(stepText);
        if (newlines >= 1) {
            out.or(lineStart);
            out.or(leadingBlankLine);
        }
        if (newlines >= 2) {
            out.or(leadingNewline);
        }
        return out;
    }

    /** Sets the logits of every id suppressed after {@code stepText} to minus infinity. */
    public void suppress(float[] logits, CharSequence stepText) {
        BitSet banned = suppressedAfter(stepText);
        for (int id = banned.nextSetBit(0); id >= 0 && id < logits.length; id = banned.nextSetBit(id + 1)) {
            logits[id] = Float.NEGATIVE_INFINITY;
        }
    }
}
