package io.hogwild.engine.bench;

import io.hogwild.engine.HogwildSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the bench lays out a session's blocks for its workers (named {@code w0, w1, ...}); {@code context} random
 * tokens are already in the cache before the first timed pass, and every worker then appends one token per pass
 * to the last block of its view.
 */
enum BenchLayout {
    /** A shared block of {@code context} tokens, then the other workers' step blocks, then the worker's own. */
    COMBINED,
    /**
     * No shared history beyond the prompt: each worker writes its own growing block, which starts with its share
     * of the {@code context} tokens, and sees every other worker's block in full before its own.
     */
    CONTIGUOUS,
    /** A shared block of {@code context} tokens, then one block that all workers append to (token-wise). */
    STREAM;

    static BenchLayout parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown layout '" + name + "' (expected combined, contiguous or stream)");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Creates the blocks and views for {@code workers} workers and fills in the context. */
    void setUp(HogwildSession session, List<String> workers, int context) {
        switch (this) {
            case COMBINED -> {
                session.createBlocks(List.of("shared"));
                workers.forEach(w -> session.createBlocks(List.of("step_" + w)));
                for (String w : workers) {
                    session.setView(w, ownBlockLast("shared", workers, w, "step_"));
                }
                session.cache().fillRandom("shared", context);
            }
            case CONTIGUOUS -> {
                workers.forEach(w -> session.createBlocks(List.of("own_" + w)));
                for (String w : workers) {
                    session.setView(w, ownBlockLast(null, workers, w, "own_"));
                }
                for (int i = 0; i < workers.size(); i++) {
                    int share = context / workers.size() + (i < context % workers.size() ? 1 : 0);
                    if (share > 0) {
                        session.cache().fillRandom("own_" + workers.get(i), share);
                    }
                }
            }
            case STREAM -> {
                session.createBlocks(List.of("shared", "stream"));
                workers.forEach(w -> session.setView(w, List.of("shared", "stream")));
                session.cache().fillRandom("shared", context);
            }
            default -> throw new IllegalStateException();
        }
    }

    private static List<String> ownBlockLast(String first, List<String> workers, String self, String prefix) {
        List<String> view = new ArrayList<>();
        if (first != null) {
            view.add(first);
        }
        workers.stream().filter(o -> !o.equals(self)).forEach(o -> view.add(prefix + o));
        view.add(prefix + self);
        return view;
    }
}
