package io.hogwild.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.attention.Attention;
import io.hogwild.engine.attention.JointRotation;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.model.LayerWeights;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.model.ModelWeights;
import io.hogwild.engine.model.SafeTensors;
import io.hogwild.engine.model.WeightLayout;
import io.hogwild.engine.rope.RotaryEmbedding;
import io.hogwild.engine.tensor.CpuThreads;
import io.hogwild.engine.tensor.Torch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder forward pass (Qwen2, Qwen3, Llama 3) for one lockstep pass of all writing workers at once.
 *
 * <p>Activations are token-major, {@code [rows, features]}, and every projection is {@code x @ W^T} with the weight
 * as stored ({@link io.hogwild.engine.model.Projection}: the orientation CPU BLAS runs fastest for the rows). The
 * residual stream is float32 and carries one extra constant feature ({@link WeightLayout}), so that RMSNorm is a
 * norm and a division with its weight folded into the next projection. Per layer: RMSNorm, fused q/k/v projection, (Qwen3) per-head
 * q/k RMSNorm, attention over the cache (which rotates, stores the new keys and values, and attends: the per-cache
 * step), output projection, residual; RMSNorm, SwiGLU MLP, residual.
 *
 * <p>Matrices, the cache and attention's operands are in the compute dtype ({@link #dtype()}); RMSNorm, the
 * attention softmax and the logits are float32 whatever it is, as the reference implementations do. Every array a
 * pass creates belongs to the pass's own manager.
 */
public final class Transformer implements AutoCloseable {

    private final ModelConfig config;
    private final ModelWeights weights;
    private final RotaryEmbedding rope;
    private final NDManager manager;
    /** {@code headDim * eps}, the per-head RMSNorm's epsilon for a sum rather than a mean of squares. */
    private final NDArray headNormEpsilon;

    private Transformer(ModelConfig config, ModelWeights weights, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.rope = new RotaryEmbedding(config.headDim(), config.rope());
        this.manager = manager;
        this.headNormEpsilon = manager.create((float) (config.headDim() * config.rmsNormEps()));
        CpuThreads.fitTo(config.weightCount() * weights.dtype().getNumOfBytes(), manager.getDevice());
    }

    /** Loads a Hugging Face checkpoint folder onto {@code device}, computing in the default dtype there. */
    public static Transformer load(Path modelDir, Device device) {
        return load(modelDir, device, ComputeDtype.defaultFor(device, modelDir));
    }

    /** Loads a Hugging Face checkpoint folder (config.json + safetensors) onto {@code device}, computing in {@code dtype}. */
    public static Transformer load(Path modelDir, Device device, DataType dtype) {
        ComputeDtype.check(dtype, device);
        ModelConfig config = ModelConfig.load(modelDir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (SafeTensors st = SafeTensors.open(modelDir)) {
            return new Transformer(config, ModelWeights.load(config, st, manager, dtype), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model of the given shape with random weights (benchmarks), in float32. */
    public static Transformer random(ModelConfig config, Device device, long seed) {
        return random(config, device, seed, DataType.FLOAT32);
    }

    /** A model of the given shape with random weights (benchmarks), computing in {@code dtype}. */
    public static Transformer random(ModelConfig config, Device device, long seed, DataType dtype) {
        ComputeDtype.check(dtype, device);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return new Transformer(config, ModelWeights.random(config, manager, dtype), manager);
    }

    public ModelConfig config() {
        return config;
    }

    public RotaryEmbedding rope() {
        return rope;
    }

    public NDManager manager() {
        return manager;
    }

    /** The compute dtype: of the matrices, of the cache, of attention's operands. */
    public DataType dtype() {
        return weights.dtype();
    }

    /** The dtype the cache stores: the compute dtype. */
    public DataType cacheDataType() {
        return dtype();
    }

    /** Which rows of a pass's logits to compute. */
    public enum Readout {
        /** Every new token (replay, tests). */
        ALL,
        /** The last new token of each writer (decoding, prefill). */
        LAST_PER_WRITER
    }

    /**
     * One session's part of a forward pass: its plan (slots in its own cache), its attention, and which rows of
     * logits it wants.
     */
    public record Part(PassPlan plan, Attention attention, Readout readout) {

        /** Rows of logits this part reads out. */
        public int readoutRows() {
            return readout == Readout.ALL ? plan.tokens() : plan.slots().size();
        }
    }

    /**
     * One joint forward pass. The plan's tokens have already been given slots in the cache; this computes and
     * stores their keys/values layer by layer and returns float32 logits {@code [rows, vocab]} (rows per
     * {@code readout}), owned by {@code pass}.
     */
    public NDArray forward(PassPlan plan, Attention attention, Readout readout, NDManager pass) {
        return forward(List.of(new Part(plan, attention, readout)), pass);
    }

    /**
     * One forward pass over the new tokens of several sessions at once: embedding, projections, MLP and logits run
     * on all their rows together (the weights are read once), while each part attends over its own session's cache
     * only. Returns float32 logits of every part's readout rows, parts in the order given, owned by {@code pass}.
     */
    public NDArray forward(List<Part> parts, NDManager pass) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a forward pass needs at least one part");
        }
        List<Attention.PassAttention> cacheSteps = new ArrayList<>(parts.size());
        long[] rowsPerPart = new long[parts.size()];
        int tokens = 0;
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            cacheSteps.add(part.attention().prepare(part.plan(), config, rope));
            rowsPerPart[p] = part.plan().tokens();
            tokens += part.plan().tokens();
        }
        long[] tokenIds = new long[tokens];
        int at = 0;
        for (Part part : parts) {
            System.arraycopy(part.plan().tokenIds(), 0, tokenIds, at, part.plan().tokens());
            at += part.plan().tokens();
        }
        // Several sessions rotate their queries and keys in one broadcast; each still attends over its own cache.
        JointRotation joint = JointRotation.of(cacheSteps, pass);
        NDArray ids = pass.create(tokenIds, new Shape(tokens));
        NDArray x = Torch.embedding(ids, weights.embed()).toType(DataType.FLOAT32, false);
        for (int l = 0; l < config.numLayers(); l++) {
            // Each layer's temporaries live in their own manager, freed as soon as the layer is done: otherwise a
            // long prefill chunk would hold every layer's attention scores until the end of the pass.
            try (NDManager layerScope = pass.newSubManager()) {
                x.attach(layerScope); // results of an op belong to its first operand's manager
                x = layer(weights.layers().get(l), l, x, cacheSteps, joint, rowsPerPart, layerScope);
                x.attach(pass);
            }
        }
        long[] readoutRows = readoutRows(parts);
        if (readoutRows.length != tokens) {
            x = rows(x, readoutRows, pass);
        }
        NDArray h = rmsNorm(x);
        if (weights.finalNorm() != null) {
            h = h.mul(weights.finalNorm());
        }
        return weights.lmHead().apply(compute(h)).toType(DataType.FLOAT32, false);
    }

    /** The rows of the joint token batch each part reads out, parts in order. */
    private static long[] readoutRows(List<Part> parts) {
        List<Long> rows = new ArrayList<>();
        long first = 0;
        for (Part part : parts) {
            PassPlan plan = part.plan();
            if (part.readout() == Readout.ALL) {
                for (int r = 0; r < plan.tokens(); r++) {
                    rows.add(first + r);
                }
            } else {
                for (var slot : plan.slots()) {
                    rows.add(first + slot.row() + slot.count() - 1);
                }
            }
            first += plan.tokens();
        }
        return rows.stream().mapToLong(Long::longValue).toArray();
    }

    /** One decoder layer: attention block and MLP block, each with its residual. */
    private NDArray layer(LayerWeights w, int l, NDArray x, List<Attention.PassAttention> cacheSteps,
                          JointRotation joint, long[] rowsPerPart, NDManager scope) {
        long rows = x.getShape().get(0);
        int heads = WeightLayout.headsPerKvHead(config);
        NDArray qkv = w.qkv().apply(compute(rmsNorm(x)));
        if (w.qkvBias() != null) {
            qkv = qkv.add(w.qkvBias());
        }
        // [rows, kv, 1, group + 2, d/2, 2]: per kv head its queries and key, then its value.
        NDList qkAndValues = Torch.split(qkv.reshape(rows, config.numKvHeads(), 1, heads, config.headDim() / 2, 2),
                new long[] {heads - 1L, 1}, 3);
        NDArray qk = qkAndValues.get(0).toType(DataType.FLOAT32, false);
        if (w.qkNorm() != null) {
            qk = headNorm(qk, w.qkNorm());
        }
        NDArray values = qkAndValues.get(1);
        if (cacheSteps.size() == 1) {
            x = x.add(outputProjection(w, cacheSteps.get(0).attend(l, qk, values), rows));
        } else {
            // Each session attends over its own cache; the outputs meet again as [heads, rows, d] for one projection.
            List<NDArray> outputs = joint != null ? joint.attend(l, qk, values, scope)
                    : attendEach(l, qk, values, cacheSteps, rowsPerPart, scope);
            NDList attended = new NDList(outputs.size());
            for (int p = 0; p < outputs.size(); p++) {
                attended.add(outputs.get(p).reshape(config.numHeads(), rowsPerPart[p], config.headDim()));
            }
            x = x.add(outputProjection(w, NDArrays.concat(attended, 1), rows));
        }

        long inter = config.intermediateSize();
        NDList gateUp = Torch.split(w.gateUp().apply(compute(rmsNorm(x))), new long[] {inter, inter}, 1);
        NDArray gate = gateUp.get(0);
        NDArray swiGlu = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(gateUp.get(1));
        return x.add(w.down().applyToProjected(swiGlu));
    }

    /** Each part's attention on its own rows, one after another (parts of different attention modes). */
    private static List<NDArray> attendEach(int l, NDArray qk, NDArray values, List<Attention.PassAttention> steps,
                                            long[] rowsPerPart, NDManager scope) {
        List<NDArray> outputs = new ArrayList<>(steps.size());
        long first = 0;
        for (int p = 0; p < steps.size(); p++) {
            long n = rowsPerPart[p];
            outputs.add(steps.get(p).attend(l, Torch.narrow(qk, 0, first, n, scope),
                    Torch.narrow(values, 0, first, n, scope)));
            first += n;
        }
        return outputs;
    }

    /**
     * The attention output {@code [kvHeads, group * rows, d]} projected back to the residual stream: one row is one
     * matrix-vector product; several rows are one batched matmul per head, {@code [heads, rows, d] @ [heads, d,
     * hidden + 1]}, summed over the heads in float32 (cheaper than gathering each row's heads side by side first).
     */
    private NDArray outputProjection(LayerWeights w, NDArray attended, long rows) {
        if (rows == 1) {
            return w.out().apply(attended.reshape(1, -1));
        }
        NDArray perHead = attended.reshape(config.numHeads(), rows, config.headDim()).matMul(w.outPerHead());
        return Torch.sum(perHead.toType(DataType.FLOAT32, false), false, 0);
    }

    /**
     * RMSNorm over the features of token-major rows, without its weight (folded into the next projection): thanks
     * to the residual's extra feature the 2-norm of a row is {@code sqrt(hidden) * sqrt(mean(x^2) + eps)}; the
     * {@code sqrt(hidden)} is folded too. Float32.
     */
    private static NDArray rmsNorm(NDArray x) {
        return x.div(Torch.norm(x, 1));
    }

    /**
     * Qwen3's RMSNorm over each head of q and k (the last two axes, {@code [d/2, 2]}, of the head-order layout), float32:
     * {@code x / sqrt(sum(x^2) + d * eps)} times the weight table, which holds {@code sqrt(d)} and the queries'
     * {@code 1/sqrt(d)}.
     */
    private NDArray headNorm(NDArray qk, NDArray weight) {
        return qk.div(Torch.sum(qk.square(), true, 4, 5).add(headNormEpsilon).sqrt()).mul(weight);
    }

    private NDArray compute(NDArray x) {
        return x.toType(dtype(), false);
    }

    /** Rows {@code which} of {@code x [rows, features]}. */
    private static NDArray rows(NDArray x, long[] which, NDManager pass) {
        long features = x.getShape().get(1);
        long[] index = new long[(int) (features * which.length)];
        for (int k = 0; k < which.length; k++) {
            for (int f = 0; f < features; f++) {
                index[k * (int) features + f] = which[k] * features + f;
            }
        }
        return Torch.take(x, pass.create(index, new Shape(which.length, features)), pass);
    }

    @Override
    public void close() {
        manager.close();
    }
}
