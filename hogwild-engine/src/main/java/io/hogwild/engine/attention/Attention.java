package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RotaryEmbedding;

/**
 * Attention of a pass's new tokens over one session's cache: rotates their queries and keys, stores their keys and
 * values, and attends. It is the forward pass's per-cache step; everything else works on the rows of a pass alone.
 */
public interface Attention {

    /**
     * Precomputes, once per pass, what every layer reuses (rotation tables, masks, indices). Arrays go to the pass's
     * manager.
     */
    PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope);

    /** The per-pass state of an {@link Attention}: it attends for one layer at a time. */
    interface PassAttention {
        /**
         * @param layer the layer whose cached keys/values are read and written
         * @param qk the pass's queries and keys, normalized, not yet rotated, in head order:
         *     {@code [tokens, kvHeads, 1, group + 1, headDim/2, 2]}, float32
         * @param values the pass's values {@code [tokens, kvHeads, 1, 1, headDim/2, 2]}, in the cache's dtype
         * @return the attention output {@code [kvHeads, group * tokens, headDim]} (rows ordered group, then token),
         *     in the cache's dtype
         */
        NDArray attend(int layer, NDArray qk, NDArray values);
    }
}
