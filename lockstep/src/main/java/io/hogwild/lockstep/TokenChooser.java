package io.hogwild.lockstep;

import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.WorkerSpec;

/**
 * How one worker of a session picks its next token from its logits. The service samples
 * ({@link SamplingTokenChooser}); tests force scripted tokens through the real engine so that the policy's
 * behaviour can be asserted exactly.
 */
public interface TokenChooser {

    /**
     * @param logits the worker's next-token logits
     * @param greedy true in the finisher, which the policy always decodes greedily
     */
    int next(float[] logits, boolean greedy);

    /** One chooser per worker of a session. */
    @FunctionalInterface
    interface Factory {
        TokenChooser create(int workerIndex, WorkerSpec worker, SamplingSpec sampling);
    }
}
