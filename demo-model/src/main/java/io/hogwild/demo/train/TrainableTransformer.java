package io.hogwild.demo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.hogwild.engine.model.SafeTensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The demo model as DJL arrays that require gradients, named exactly as in a Hugging Face Llama (or Qwen3)
 * checkpoint, and its batched, causal training forward pass. The math is the engine's ({@code Transformer}) written for whole sequences:
 * the checkpoint this trains is later loaded by the engine like any other, and a test holds the two to the same
 * logits.
 */
public final class TrainableTransformer implements AutoCloseable {

    private final DemoModelShape shape;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    public TrainableTransformer(DemoModelShape shape, NDManager parent, long seed) {
        this.shape = shape;
        this.manager = parent.newSubManager();
        Random random = new Random(seed);
        int d = shape.hidden();
        int hd = shape.headDim();
        double std = 0.02;
        double residualStd = std / Math.sqrt(2.0 * shape.layers()); // keeps the residual stream's scale with depth
        add("model.embed_tokens.weight", normal(random, std, shape.vocabSize(), d));
        for (int l = 0; l < shape.layers(); l++) {
            String p = "model.layers." + l + ".";
            add(p + "input_layernorm.weight", ones(d));
            add(p + "self_attn.q_proj.weight", normal(random, std, shape.heads() * hd, d));
            add(p + "self_attn.k_proj.weight", normal(random, std, shape.kvHeads() * hd, d));
            add(p + "self_attn.v_proj.weight", normal(random, std, shape.kvHeads() * hd, d));
            if (shape.qkNorm()) {
                add(p + "self_attn.q_norm.weight", ones(hd));
                add(p + "self_attn.k_norm.weight", ones(hd));
            }
            add(p + "self_attn.o_proj.weight", normal(random, residualStd, d, shape.heads() * hd));
            add(p + "post_attention_layernorm.weight", ones(d));
            add(p + "mlp.gate_proj.weight", normal(random, std, shape.intermediate(), d));
            add(p + "mlp.up_proj.weight", normal(random, std, shape.intermediate(), d));
            add(p + "mlp.down_proj.weight", normal(random, residualStd, d, shape.intermediate()));
        }
        add("model.norm.weight", ones(d));
        parameters.values().forEach(a -> a.setRequiresGradient(true));
    }

    /** The model with the weights of a checkpoint of this shape (written by {@code CheckpointWriter}). */
    public TrainableTransformer(DemoModelShape shape, NDManager parent, java.nio.file.Path checkpoint) {
        this.shape = shape;
        this.manager = parent.newSubManager();
        try (SafeTensors weights = SafeTensors.open(checkpoint); NDManager loading = manager.newSubManager()) {
            // the names and shapes of a fresh model; the values are copied so the checkpoint's file is not kept mapped
            new TrainableTransformer(shape, loading, 0).parameters().forEach((name, fresh) -> {
                float[] values = weights.load(loading, name, fresh.getShape().getShape()).toFloatArray();
                add(name, manager.create(values, fresh.getShape()));
            });
        }
        parameters.values().forEach(a -> a.setRequiresGradient(true));
    }

    public DemoModelShape shape() {
        return shape;
    }

    /** Name to array, in checkpoint order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Whether a parameter gets weight decay: matrices do, norms' gains do not. */
    public static boolean decays(String name) {
        return !name.endsWith("norm.weight");
    }

    /**
     * Weighted mean cross-entropy: each position counts as much as its {@code lossMask} weight (0: not learned).
     *
     * @param tokens {@code [batch, length]} int32 ids
     * @param targets {@code [batch, length]} the token to predict at each position
     * @param lossMask {@code [batch, length]} float weights
     * @param layout which keys each query sees, and at what distance
     */
    public NDArray loss(NDArray tokens, NDArray targets, NDArray lossMask, AttentionLayout layout, NDManager step) {
        NDArray logits = logits(tokens, layout, step);
        NDArray logProbs = logits.logSoftmax(-1);
        NDArray oneHot = targets.oneHot(shape.vocabSize()).toType(DataType.FLOAT32, false);
        NDArray tokenLoss = logProbs.mul(oneHot).sum(new int[] {-1}).neg();
        return tokenLoss.mul(lossMask).sum().div(lossMask.sum().maximum(1f));
    }

    /** {@code [batch, length, vocab]} logits of a plain causal pass over whole sequences. */
    public NDArray logits(NDArray tokens, NDManager step) {
        Shape s = tokens.getShape();
        return logits(tokens, AttentionLayout.causal(shape, (int) s.get(0), (int) s.get(1), step), step);
    }

    /** {@code [batch, length, vocab]} logits, each query attending as {@code layout} says. */
    public NDArray logits(NDArray tokens, AttentionLayout layout, NDManager step) {
        NDArray embed = parameters.get("model.embed_tokens.weight");
        NDArray x = tokens.getNDArrayInternal().embedding(tokens, embed, SparseFormat.DENSE).singletonOrThrow();
        x.attach(step);
        for (int l = 0; l < shape.layers(); l++) {
            x = layer(l, x, layout, step);
        }
        NDArray normed = rmsNorm(x, parameters.get("model.norm.weight"));
        return normed.matMul(transposed(embed, step)); // tied: the output head is the embedding matrix
    }

    private NDArray layer(int l, NDArray x, AttentionLayout layout, NDManager step) {
        String p = "model.layers." + l + ".";
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int heads = shape.heads();
        int kvHeads = shape.kvHeads();
        int hd = shape.headDim();

        NDArray h = rmsNorm(x, param(p + "input_layernorm.weight"));
        NDArray q = linear(h, param(p + "self_attn.q_proj.weight"), step).reshape(batch, length, heads, hd);
        NDArray k = linear(h, param(p + "self_attn.k_proj.weight"), step).reshape(batch, length, kvHeads, hd);
        NDArray v = linear(h, param(p + "self_attn.v_proj.weight"), step).reshape(batch, length, kvHeads, hd);
        if (shape.qkNorm()) {
            q = rmsNorm(q, param(p + "self_attn.q_norm.weight"));
            k = rmsNorm(k, param(p + "self_attn.k_norm.weight"));
        }
        q = q.transpose(0, 2, 1, 3);
        k = k.transpose(0, 2, 1, 3);
        v = v.transpose(0, 2, 1, 3);
        if (kvHeads != heads) {
            int groups = heads / kvHeads;
            k = k.repeat(1, groups);
            v = v.repeat(1, groups);
        }
        NDArray attended = attention(q, k, v, layout).transpose(0, 2, 1, 3).reshape(batch, length, heads * hd);
        x = x.add(linear(attended, param(p + "self_attn.o_proj.weight"), step));

        NDArray m = rmsNorm(x, param(p + "post_attention_layernorm.weight"));
        NDArray gate = linear(m, param(p + "mlp.gate_proj.weight"), step);
        NDArray up = linear(m, param(p + "mlp.up_proj.weight"), step);
        NDArray silu = gate.mul(gate.getNDArrayInternal().sigmoid());
        return x.add(linear(silu.mul(up), param(p + "mlp.down_proj.weight"), step));
    }

    /**
     * Attention with positions per (query, chunk of keys): the keys of each chunk are rotated by their index in it,
     * and each query once per chunk by its distance from the chunk's first key in its view. {@code q, k, v}:
     * {@code [batch, heads, length, headDim]}.
     */
    private NDArray attention(NDArray q, NDArray k, NDArray v, AttentionLayout layout) {
        Shape s = q.getShape();
        long batch = s.get(0);
        long heads = s.get(1);
        long length = s.get(2);
        long hd = s.get(3);
        long chunks = length / layout.chunk();
        // The 1/sqrt(d) scale goes on q, the smaller side.
        NDArray rotatedQ = rotate(q.mul((float) (1 / Math.sqrt(hd))).expandDims(2), layout.queryCos(),
                layout.querySin()); // [batch, heads, chunks, length, d]
        NDArray rotatedK = rotate(k.reshape(batch, heads, chunks, layout.chunk(), hd), layout.keyCos(),
                layout.keySin()); // [batch, heads, chunks, chunk, d]
        NDArray scores = rotatedQ.matMul(rotatedK.transpose(0, 1, 2, 4, 3)) // [batch, heads, chunks, length, chunk]
                .transpose(0, 1, 3, 2, 4).reshape(batch, heads, length, length).add(layout.mask());
        return scores.softmax(-1).matMul(v);
    }

    /** {@code x cos + rotate_half(x) sin}, the rotate-half RoPE convention of Hugging Face Qwen/Llama. */
    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(x.getShape().dimension() - 1) / 2;
        NDArray first = x.get(new NDIndex("..., 0:{}", half));
        NDArray second = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new ai.djl.ndarray.NDList(second.neg(), first), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add((float) shape.rmsNormEps()).sqrt()).mul(weight);
    }

    private static NDArray linear(NDArray x, NDArray weight, NDManager step) {
        return x.matMul(transposed(weight, step));
    }

    /** A weight's transpose, owned by the step: an op's result belongs to its operand's (long-lived) manager. */
    private static NDArray transposed(NDArray weight, NDManager step) {
        NDArray t = weight.transpose();
        t.attach(step);
        return t;
    }

    private NDArray param(String name) {
        return parameters.get(name);
    }

    private void add(String name, NDArray array) {
        array.setName(name);
        parameters.put(name, array);
    }

    private NDArray ones(int n) {
        return manager.ones(new Shape(n));
    }

    private NDArray normal(Random random, double std, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return manager.create(values, new Shape(rows, cols));
    }

    /** Copies a parameter's values out (checkpoint writing). */
    public float[] values(String name) {
        return parameters.get(name).toFloatArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
