package io.hogwild.demo.eval;

import java.util.Map;
import java.util.Set;

/**
 * One problem run through the engine.
 *
 * @param answer the content of the final {@code \boxed{...}}, or null when none was written
 * @param lockstepPasses lockstep passes until the answer (or until the session ended without one)
 * @param computedBy per worker, the items whose result it wrote
 * @param transcripts per worker, everything it wrote (prefixes included)
 */
public record SolvedProblem(String expected, String answer, long lockstepPasses, Map<String, Set<Character>> computedBy,
                            Map<String, String> transcripts) {

    public boolean correct() {
        return answer != null && answer.replace(" ", "").equals(expected);
    }

    /** Items whose result more than one worker wrote. */
    public long duplicatedItems() {
        Map<Character, Long> counts = new java.util.HashMap<>();
        computedBy.values().forEach(items -> items.forEach(i -> counts.merge(i, 1L, Long::sum)));
        return counts.values().stream().filter(c -> c > 1).count();
    }
}
