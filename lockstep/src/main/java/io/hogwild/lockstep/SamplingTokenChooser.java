package io.hogwild.lockstep;

import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.sampling.Sampler;
import io.hogwild.engine.sampling.SamplingParams;
import java.util.HashSet;
import java.util.Set;

/** The real chooser: the plan's sampling with seed {@code seed + workerIndex}. */
public final class SamplingTokenChooser implements TokenChooser {

    private final Sampler sampler;

    public SamplingTokenChooser(SamplingParams params) {
        this.sampler = new Sampler(params);
    }

    public static TokenChooser create(int workerIndex, WorkerSpec worker, SamplingSpec spec) {
        return new SamplingTokenChooser(params(spec, workerIndex));
    }

    /** The most likely token, always. */
    public static TokenChooser greedy() {
        return new SamplingTokenChooser(SamplingParams.greedy());
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
    public int next(float[] logits) {
        return sampler.next(logits);
    }
}
