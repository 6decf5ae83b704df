package io.hogwild.lockstep;

import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one worker's generated tokens into text deltas. A byte-level token can end in the middle of a multi-byte
 * character, which decodes to U+FFFD: such a tail is held back until the following tokens complete it, so every
 * delta carries whole characters. The window restarts once its text is complete, keeping each decode short.
 */
final class IncrementalDecoder {

    /** A tail still incomplete after this many tokens is not going to complete: emit it as is. */
    private static final int MAX_PENDING = 8;
    private static final int WINDOW = 16;
    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final List<Integer> window = new ArrayList<>();
    private int emitted;
    private int pending;

    IncrementalDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token; returns the newly complete text (possibly empty). */
    String push(int token) {
        window.add(token);
        String text = tokenizer.decode(window.stream().mapToInt(Integer::intValue).toArray());
        if (!text.isEmpty() && text.charAt(text.length() - 1) == REPLACEMENT && ++pending < MAX_PENDING) {
            return "";
        }
        pending = 0;
        String delta = text.length() >= emitted ? text.substring(emitted) : "";
        emitted = text.length();
        if (window.size() >= WINDOW) {
            reset();
        }
        return delta;
    }

    /** Starts afresh, e.g. after text the policy fed in between. */
    void reset() {
        window.clear();
        emitted = 0;
        pending = 0;
    }
}
