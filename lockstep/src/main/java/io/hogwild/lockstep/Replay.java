package io.hogwild.lockstep;

import io.hogwild.contracts.worker.ResumeSpec;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The recorded token choices a resumed session makes again before it chooses live (see {@link ResumeSpec}): per
 * worker, in the order the worker chose them. A plan without {@code resume} replays nothing.
 */
final class Replay {

    private final Map<String, ArrayDeque<Integer>> chosen = new HashMap<>();

    private Replay(ResumeSpec resume) {
        if (resume != null && resume.chosenTokens() != null) {
            resume.chosenTokens().forEach((worker, tokens) -> chosen.put(worker, new ArrayDeque<>(tokens)));
        }
    }

    static Replay of(ResumeSpec resume) {
        return new Replay(resume);
    }

    /** The worker's next recorded choice; empty once it has made all of them (it then chooses live). */
    OptionalInt next(String worker) {
        ArrayDeque<Integer> tokens = chosen.get(worker);
        return tokens == null || tokens.isEmpty() ? OptionalInt.empty() : OptionalInt.of(tokens.removeFirst());
    }

    /** Workers with recorded choices not made yet, and how many. */
    Map<String, Integer> left() {
        Map<String, Integer> left = new HashMap<>();
        chosen.forEach((worker, tokens) -> {
            if (!tokens.isEmpty()) {
                left.put(worker, tokens.size());
            }
        });
        return left;
    }
}
