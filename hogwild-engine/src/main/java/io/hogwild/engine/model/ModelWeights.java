package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * All weights of a decoder-only transformer in the forward pass's layout ({@link WeightLayout}), owned by one
 * long-lived {@link NDManager}.
 *
 * @param embed token embedding with the residual's extra feature {@code [vocab, hidden + 1]}
 * @param layers the decoder layers
 * @param finalNorm for a tied output projection, the final norm's weight, float32 {@code [hidden + 1]};
 *     {@code null} when it is folded into {@code lmHead}
 * @param lmHead output projection {@code [vocab, hidden + 1]} (the embedding table itself when tied)
 * @param dtype the dtype of the matrices: the compute dtype
 */
public record ModelWeights(NDArray embed, List<LayerWeights> layers, NDArray finalNorm, Projection lmHead,
                           DataType dtype) {

    /** Loads and checks every tensor of a Hugging Face Qwen2 / Qwen3 / Llama checkpoint, then folds it. */
    public static ModelWeights load(ModelConfig c, SafeTensors st, NDManager manager, DataType dtype) {
        return build(c, manager, dtype, new Source() {
            @Override
            public NDArray get(NDManager scratch, String name, long... shape) {
                return st.load(scratch, name, shape).toType(DataType.FLOAT32, false);
            }

            @Override
            public boolean has(String name) {
                return st.contains(name);
            }
        });
    }

    /**
     * Random weights of the given shape, for benchmarks of real model dimensions without the real files. Scales
     * keep activations in a sane range through many layers.
     */
    public static ModelWeights random(ModelConfig c, NDManager manager, DataType dtype) {
        return build(c, manager, dtype, new Source() {
            @Override
            public NDArray get(NDManager scratch, String name, long... shape) {
                if (name.endsWith("norm.weight")) {
                    return scratch.ones(new Shape(shape), DataType.FLOAT32);
                }
                float std = name.endsWith("bias") ? 0.02f : (float) (1 / Math.sqrt(shape[shape.length - 1]));
                return scratch.randomNormal(0f, name.contains("embed") ? 1f : std, new Shape(shape), DataType.FLOAT32);
            }

            @Override
            public boolean has(String name) {
                return false;
            }
        });
    }

    /** Where raw (checkpoint-layout, float32) tensors come from. */
    private interface Source {
        NDArray get(NDManager scratch, String name, long... shape);

        boolean has(String name);
    }

    private static ModelWeights build(ModelConfig c, NDManager manager, DataType dtype, Source src) {
        long hidden = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        long inter = c.intermediateSize();
        List<LayerWeights> layers = new ArrayList<>();
        NDArray embed;
        NDArray finalNorm = null;
        Projection lmHead;
        try (NDManager scratch = manager.newSubManager()) {
            embed = WeightLayout.embedding(c, src.get(scratch, "model.embed_tokens.weight", c.vocabSize(), hidden),
                    manager, dtype);
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            // One layer at a time, so that loading never holds more than one layer's raw tensors besides the result.
            try (NDManager scratch = manager.newSubManager()) {
                // Qwen2 always has q/k/v biases; other families may carry them too (attention_bias: true).
                boolean bias = c.architecture().qkvBias() || src.has(a + "q_proj.bias");
                boolean qkNorm = c.architecture().qkNorm();
                WeightLayout.RawLayer raw = new WeightLayout.RawLayer(
                        src.get(scratch, p + "input_layernorm.weight", hidden),
                        src.get(scratch, a + "q_proj.weight", qDim, hidden),
                        src.get(scratch, a + "k_proj.weight", kvDim, hidden),
                        src.get(scratch, a + "v_proj.weight", kvDim, hidden),
                        bias ? src.get(scratch, a + "q_proj.bias", qDim) : null,
                        bias ? src.get(scratch, a + "k_proj.bias", kvDim) : null,
                        bias ? src.get(scratch, a + "v_proj.bias", kvDim) : null,
                        qkNorm ? src.get(scratch, a + "q_norm.weight", c.headDim()) : null,
                        qkNorm ? src.get(scratch, a + "k_norm.weight", c.headDim()) : null,
                        src.get(scratch, a + "o_proj.weight", hidden, qDim),
                        src.get(scratch, p + "post_attention_layernorm.weight", hidden),
                        src.get(scratch, p + "mlp.gate_proj.weight", inter, hidden),
                        src.get(scratch, p + "mlp.up_proj.weight", inter, hidden),
                        src.get(scratch, p + "mlp.down_proj.weight", hidden, inter));
                layers.add(WeightLayout.fold(c, raw, scratch, manager, dtype));
            }
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray norm = src.get(scratch, "model.norm.weight", hidden);
            if (c.tieWordEmbeddings() && !src.has("lm_head.weight")) {
                finalNorm = WeightLayout.finalNormWeight(c, norm, manager);
                NDArray transposed = embed.transpose();
                transposed.attach(manager);
                lmHead = new Projection(embed, transposed);
            } else {
                lmHead = WeightLayout.outputProjection(c, src.get(scratch, "lm_head.weight", c.vocabSize(), hidden),
                        norm, manager, dtype);
            }
        }
        return new ModelWeights(embed, layers, finalNorm, lmHead, dtype);
    }
}
