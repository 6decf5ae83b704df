package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RotaryEmbedding;

/** Attention of a pass's new tokens over the shared cache, after their own keys and values are stored. */
public interface Attention {

    /**
     * Precomputes, once per pass, what every layer reuses (rotation rows, masks). Arrays go to the pass's manager.
     */
    PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope);

    /** The per-pass state of an {@link Attention}: it attends for one layer at a time. */
    interface PassAttention {
        /**
         * @param layer the layer whose cached keys/values are read
         * @param q un-rotated queries {@code [tokens, heads, headDim]}
         * @return the attention output {@code [tokens, heads * headDim]}
         */
        NDArray attend(int layer, NDArray q);
    }
}
