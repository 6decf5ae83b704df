package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import io.hogwild.engine.cache.StepPlan;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.model.RotaryEmbedding;

/** Attention of a step's new tokens over the shared cache, after their own keys and values are stored. */
public interface Attention {

    /**
     * Precomputes, once per step, what every layer reuses (rotation rows, masks). Arrays go to the step's manager.
     */
    StepAttention prepare(StepPlan plan, ModelConfig config, RotaryEmbedding rope);

    /** The per-step state of an {@link Attention}: it attends for one layer at a time. */
    interface StepAttention {
        /**
         * @param layer the layer whose cached keys/values are read
         * @param q un-rotated queries {@code [tokens, heads, headDim]}
         * @return the attention output {@code [tokens, heads * headDim]}
         */
        NDArray attend(int layer, NDArray q);
    }
}
