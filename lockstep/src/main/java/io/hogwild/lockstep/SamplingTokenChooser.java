package io.hogwild.lockstep;

import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.sampling.Sampler;
import io.hogwild.engine.sampling.SamplingParams;
import java.util.HashSet;
import java.util.Set;

/** The real chooser: the plan's sampling with seed {@code seed + workerIndex}; greedy (same bans) when asked. */
public final class SamplingTokenChooser implements TokenChooser {

    private final Sampler sampler;
    private final Sampler greedy;

    public SamplingTokenChooser(SamplingParams params) {
        this.sampler = new Sampler(params);
        this.greedy = new Sampler(new SamplingParams(0, 0, 1, params.seed(), params.bannedTokens()));
    }

    public static TokenChooser create(int workerIndex, WorkerSpec worker, SamplingSpec spec) {
        return new SamplingTokenChooser(params(spec, workerIndex));
    }

    /** A null sampling spec means greedy decoding. */
    static SamplingParams params(SamplingSpec spec, int workerIndex) {
        if (spec == null) {
            return SamplingParams.greedy();
        }
        Set<Integer> banned = spec.bannedTokenIds() == null ? Set.of() : new HashSet<>(spec.bannedTokenIds());
        return new SamplingParams(spec.temperature(), spec.topK(), spec.topP(), spec.seed() + workerIndex, banned);
    }

    @Override
    public int next(float[] logits, boolean useGreedy) {
        return useGreedy ? greedy.next(logits) : sampler.next(logits);
    }
}
