package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * All weights of a decoder-only transformer, owned by one long-lived {@link NDManager}.
 *
 * @param embed token embedding {@code [vocab, hidden]}
 * @param layers the decoder layers
 * @param finalNorm RMSNorm weight after the last layer {@code [hidden]}
 * @param lmHead output projection {@code [vocab, hidden]} (the embedding itself when tied)
 */
public record ModelWeights(NDArray embed, List<LayerWeights> layers, NDArray finalNorm, NDArray lmHead) {

    /** Loads and checks every tensor of a Hugging Face Qwen2 / Qwen3 / Llama checkpoint. */
    public static ModelWeights load(ModelConfig c, SafeTensors st, NDManager manager) {
        long hidden = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        NDArray embed = st.load(manager, "model.embed_tokens.weight", c.vocabSize(), hidden);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            NDArray qkv = fuse(manager,
                    st.load(manager, a + "q_proj.weight", qDim, hidden),
                    st.load(manager, a + "k_proj.weight", kvDim, hidden),
                    st.load(manager, a + "v_proj.weight", kvDim, hidden));
            // Qwen2 always has q/k/v biases; other families may carry them too (attention_bias: true).
            NDArray qkvBias = null;
            if (c.architecture().qkvBias() || st.contains(a + "q_proj.bias")) {
                qkvBias = fuse(manager,
                        st.load(manager, a + "q_proj.bias", qDim),
                        st.load(manager, a + "k_proj.bias", kvDim),
                        st.load(manager, a + "v_proj.bias", kvDim));
            }
            NDArray qNorm = null;
            NDArray kNorm = null;
            if (c.architecture().qkNorm()) {
                qNorm = st.load(manager, a + "q_norm.weight", c.headDim());
                kNorm = st.load(manager, a + "k_norm.weight", c.headDim());
            }
            NDArray gateUp = fuse(manager,
                    st.load(manager, p + "mlp.gate_proj.weight", c.intermediateSize(), hidden),
                    st.load(manager, p + "mlp.up_proj.weight", c.intermediateSize(), hidden));
            layers.add(new LayerWeights(
                    st.load(manager, p + "input_layernorm.weight", hidden),
                    qkv, qkvBias, qNorm, kNorm,
                    st.load(manager, a + "o_proj.weight", hidden, qDim),
                    st.load(manager, p + "post_attention_layernorm.weight", hidden),
                    gateUp,
                    st.load(manager, p + "mlp.down_proj.weight", hidden, c.intermediateSize())));
        }
        NDArray finalNorm = st.load(manager, "model.norm.weight", hidden);
        NDArray lmHead = c.tieWordEmbeddings() && !st.contains("lm_head.weight")
                ? embed
                : st.load(manager, "lm_head.weight", c.vocabSize(), hidden);
        return new ModelWeights(embed, layers, finalNorm, lmHead);
    }

    /**
     * Random weights of the given shape, for benchmarks of real model dimensions without the real files. Scales
     * keep activations in a sane range through many layers.
     */
    public static ModelWeights random(ModelConfig c, NDManager manager, DataType dtype) {
        long hidden = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        float std = (float) (1.0 / Math.sqrt(hidden));
        NDArray embed = normal(manager, dtype, 1f, c.vocabSize(), hidden);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            boolean qkNorm = c.architecture().qkNorm();
            layers.add(new LayerWeights(
                    ones(manager, dtype, hidden),
                    normal(manager, dtype, std, qDim + 2 * kvDim, hidden),
                    c.architecture().qkvBias() ? normal(manager, dtype, 0.02f, qDim + 2 * kvDim) : null,
                    qkNorm ? ones(manager, dtype, c.headDim()) : null,
                    qkNorm ? ones(manager, dtype, c.headDim()) : null,
                    normal(manager, dtype, (float) (1.0 / Math.sqrt(qDim)), hidden, qDim),
                    ones(manager, dtype, hidden),
                    normal(manager, dtype, std, 2L * c.intermediateSize(), hidden),
                    normal(manager, dtype, (float) (1.0 / Math.sqrt(c.intermediateSize())), hidden, c.intermediateSize())));
        }
        NDArray lmHead = c.tieWordEmbeddings() ? embed : normal(manager, dtype, std, c.vocabSize(), hidden);
        return new ModelWeights(embed, layers, ones(manager, dtype, hidden), lmHead);
    }

    private static NDArray normal(NDManager m, DataType dtype, float std, long... shape) {
        return m.randomNormal(0f, std, new Shape(shape), DataType.FLOAT32).toType(dtype, false);
    }

    private static NDArray ones(NDManager m, DataType dtype, long... shape) {
        return m.ones(new Shape(shape), dtype);
    }

    /** Concatenates projections along the output axis and frees the parts. */
    private static NDArray fuse(NDManager manager, NDArray... parts) {
        NDArray fused = NDArrays.concat(new NDList(parts), 0);
        for (NDArray p : parts) {
            p.close();
        }
        return fused;
    }
}
