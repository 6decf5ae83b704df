package io.hogwild.lockstep;

import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.WorkerSpec;

/**
 * How one worker of a session picks its next token from its logits (suppressed tokens already at minus infinity).
 * The service samples ({@link SamplingTokenChooser}); tests force scripted tokens through the real engine so that the
 * policy's behaviour can be asserted exactly.
 */
public interface TokenChooser {

    int next(float[] logits);

    /** The choosers of a session: one per worker, and the finisher's. */
    @FunctionalInterface
    interface Factory {
        TokenChooser create(int workerIndex, WorkerSpec worker, SamplingSpec sampling);

        /** The finisher pass decodes greedily. */
        default TokenChooser finisher() {
            return SamplingTokenChooser.greedy();
        }
    }
}
