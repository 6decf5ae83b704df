package io.hogwild.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.hogwild.engine.attention.Attention;
import io.hogwild.engine.rope.Rope;
import io.hogwild.engine.cache.Slot;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.model.LayerWeights;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.model.ModelWeights;
import io.hogwild.engine.rope.RotaryEmbedding;
import io.hogwild.engine.model.SafeTensors;
import java.nio.file.Path;

/**
 * The decoder forward pass (Qwen2, Qwen3, Llama 3) for one lockstep pass of all writing workers at once.
 *
 * <p>Per layer: RMSNorm, fused q/k/v projection, (Qwen3) per-head q/k RMSNorm, new keys rotated to their local
 * positions and stored in their target blocks, attention over the cache, output projection, residual; RMSNorm,
 * SwiGLU MLP, residual. Every array a pass creates belongs to the pass's own manager.
 */
public final class Transformer implements AutoCloseable {

    private final ModelConfig config;
    private final ModelWeights weights;
    private final RotaryEmbedding rope;
    private final NDManager manager;

    private Transformer(ModelConfig config, ModelWeights weights, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.rope = new RotaryEmbedding(config.headDim(), config.rope());
        this.manager = manager;
    }

    /** Loads a Hugging Face checkpoint folder (config.json + safetensors) onto {@code device}. */
    public static Transformer load(Path modelDir, Device device) {
        ModelConfig config = ModelConfig.load(modelDir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (SafeTensors st = SafeTensors.open(modelDir)) {
            return new Transformer(config, ModelWeights.load(config, st, manager), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model of the given shape with random weights (benchmarks). */
    public static Transformer random(ModelConfig config, Device device, long seed) {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return new Transformer(config, ModelWeights.random(config, manager, DataType.FLOAT32), manager);
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

    /** The dtype the cache stores: that of the weights (float32 on CPU). */
    public DataType cacheDataType() {
        return weights.embed().getDataType();
    }

    /** Which rows of a pass's logits to compute. */
    public enum Readout {
        /** Every new token (replay, tests). */
        ALL,
        /** The last new token of each writer (decoding, prefill). */
        LAST_PER_WRITER
    }

    /**
     * One joint forward pass. The plan's tokens have already been given slots in the cache; this computes and
     * stores their keys/values layer by layer and returns logits {@code [rows, vocab]} (rows per {@code readout}),
     * owned by {@code pass}.
     */
    public NDArray forward(PassPlan plan, Attention attention, Readout readout, NDManager pass) {
        int n = plan.tokens();
        Attention.PassAttention stepAttention = attention.prepare(plan, config, rope);

        NDArray ids = pass.create(plan.tokenIds(), new Shape(n));
        NDArray x = ids.getNDArrayInternal().embedding(ids, weights.embed(), SparseFormat.DENSE).singletonOrThrow();
        for (int l = 0; l < config.numLayers(); l++) {
            // Each layer's temporaries live in their own manager, freed as soon as the layer is done: otherwise a
            // long prefill chunk would hold every layer's attention scores until the end of the pass.
            try (NDManager layerScope = pass.newSubManager()) {
                x.attach(layerScope); // results of an op belong to its first operand's manager
                x = layer(l, x, plan, stepAttention);
                x.attach(pass);
            }
        }
        if (readout == Readout.LAST_PER_WRITER) {
            long[] last = plan.slots().stream().mapToLong(s -> s.row() + s.count() - 1).toArray();
            if (last.length != n) {
                x = x.get(new NDIndex("{}", pass.create(last)));
            }
        }
        return linear(rmsNorm(x, weights.finalNorm()), weights.lmHead(), null);
    }

    /** One decoder layer: attention block and MLP block, each with its residual. */
    private NDArray layer(int l, NDArray x, PassPlan plan, Attention.PassAttention stepAttention) {
        int n = plan.tokens();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int d = config.headDim();
        long qWidth = (long) heads * d;
        long kvWidth = (long) kvHeads * d;
        LayerWeights w = weights.layers().get(l);
        NDArray qkv = linear(rmsNorm(x, w.inputNorm()), w.qkv(), w.qkvBias());
        NDArray q = qkv.get(new NDIndex().addAllDim().addSliceDim(0, qWidth)).reshape(n, heads, d);
        NDArray k = qkv.get(new NDIndex().addAllDim().addSliceDim(qWidth, qWidth + kvWidth)).reshape(n, kvHeads, d);
        NDArray v = qkv.get(new NDIndex().addAllDim().addSliceDim(qWidth + kvWidth, qWidth + 2 * kvWidth))
                .reshape(n, kvHeads, d);
        if (w.qNorm() != null) {
            q = rmsNorm(q, w.qNorm());
            k = rmsNorm(k, w.kNorm());
        }
        storeKeysValues(plan, l, Rope.apply(k, plan.keyCos(), plan.keySin()), v);
        NDArray attended = stepAttention.attend(l, q);
        x = x.add(linear(attended, w.out(), null));

        NDArray gateUp = linear(rmsNorm(x, w.postNorm()), w.gateUp(), null);
        long inter = config.intermediateSize();
        NDArray gate = gateUp.get(new NDIndex().addAllDim().addSliceDim(0, inter));
        NDArray up = gateUp.get(new NDIndex().addAllDim().addSliceDim(inter, 2 * inter));
        NDArray silu = gate.mul(gate.getNDArrayInternal().sigmoid());
        return x.add(linear(silu.mul(up), w.down(), null));
    }

    /** Writes each writer's new keys (already rotated to local positions) and values into its target block. */
    private static void storeKeysValues(PassPlan plan, int layer, NDArray keys, NDArray values) {
        for (Slot s : plan.slots()) {
            NDIndex rows = new NDIndex().addSliceDim(s.row(), s.row() + s.count());
            // [count, kvHeads, d] -> [kvHeads, count, d], the block's layout.
            s.target().write(layer, s.start(), keys.get(rows).transpose(1, 0, 2), values.get(rows).transpose(1, 0, 2));
        }
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(config.rmsNormEps()).sqrt()).mul(weight);
    }

    /**
     * {@code x W^T + b} for a row-major {@code x [rows, in]} and {@code W [out, in]}, computed as {@code (W x^T)^T}:
     * with the few rows of a decode pass, BLAS runs {@code W x^T} near memory speed, while {@code x W^T} takes a
     * skinny-matrix path 2-4x slower on the CPU builds of libtorch measured here. The result is made row-major
     * again (a copy of only rows x out floats) because the next projection is fast only for a row-major input.
     */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        NDArray yT = weight.matMul(x.transpose());
        yT.attach(x.getManager()); // results belong to the first operand's manager: move it to the pass's
        long rows = x.getShape().get(0);
        NDArray y = rows == 1 ? yT.reshape(1, -1) : yT.transpose().flatten().reshape(rows, -1);
        return bias == null ? y : y.add(bias);
    }

    @Override
    public void close() {
        manager.close();
    }
}
