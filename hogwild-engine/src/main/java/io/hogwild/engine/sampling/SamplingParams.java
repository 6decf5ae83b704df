package io.hogwild.engine.sampling;

import java.util.Set;

/**
 * How one worker picks its next token.
 *
 * @param temperature 0 for greedy (arg-max); otherwise logits are divided by it before softmax
 * @param topK keep only the k most likely tokens (0 = no limit)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1 = no limit)
 * @param seed seed of this worker's random stream: the same seed gives the same tokens
 * @param bannedTokens token ids that are never produced
 */
public record SamplingParams(double temperature, int topK, double topP, long seed, Set<Integer> bannedTokens) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        bannedTokens = bannedTokens == null ? Set.of() : Set.copyOf(bannedTokens);
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0, Set.of());
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** The same parameters with another seed (each worker of a run gets its own stream). */
    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topK, topP, newSeed, bannedTokens);
    }

    public SamplingParams withBanned(Set<Integer> banned) {
        return new SamplingParams(temperature, topK, topP, seed, banned);
    }
}
