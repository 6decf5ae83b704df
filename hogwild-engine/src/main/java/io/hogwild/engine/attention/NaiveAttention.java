package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.cache.KvBlock;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.cache.Slot;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.Rope;
import io.hogwild.engine.rope.RotaryEmbedding;
import io.hogwild.engine.tensor.Torch;
import java.util.ArrayList;
import java.util.List;

/**
 * The straightforward reading of the semantics: for each writer, build its view as one ordinary KV cache by
 * re-rotating every block's keys to the block's offset in that view and concatenating, then plain causal attention.
 * Each writer reads (and re-rotates) its whole view on its own, so W workers cost W times the cache traffic. The
 * test oracle and the benchmark baseline; it shares only the storage with {@link SharedAttention}.
 */
final class NaiveAttention implements Attention {

    @Override
    public PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
        return new Pass(plan, config, rope);
    }

    /** One block of a writer's view: where its keys are and how far to rotate them. */
    private record ViewBlock(KvBlock block, NDArray cos, NDArray sin) {}

    /** A writer's part of the pass: its rows, its view's blocks, its causal mask. */
    private record Writer(Slot slot, List<ViewBlock> blocks, NDArray mask) {}

    private static final class Pass implements PassAttention {
        private final PassPlan plan;
        private final int kvHeads;
        private final int headDim;
        private final int group;
        private final int rows;
        private final NDArray queryCos;
        private final NDArray querySin;
        private final NDArray keyCos;
        private final NDArray keySin;
        private final List<Writer> writers = new ArrayList<>();

        Pass(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
            this.plan = plan;
            this.kvHeads = config.numKvHeads();
            this.headDim = config.headDim();
            this.group = config.groupSize();
            this.rows = plan.tokens();
            // Queries rotate to their position in their writer's view; new keys to base + local index.
            float[] qc = new float[headDim * rows];
            float[] qs = new float[qc.length];
            float[] kc = new float[qc.length];
            float[] ks = new float[qc.length];
            for (Slot w : plan.slots()) {
                for (int i = 0; i < w.count(); i++) {
                    int r = w.row() + i;
                    rope.fill(w.queryPosition(i), qc, qs, r, 2 * rows, rows);
                    rope.fill(w.target().base() + w.start() + i, kc, ks, r, 2 * rows, rows);
                }
            }
            Shape table = new Shape(headDim / 2, 2, 1, 1, rows);
            this.queryCos = plan.upload(qc, table, DataType.FLOAT32);
            this.querySin = plan.upload(qs, table, DataType.FLOAT32);
            this.keyCos = plan.upload(kc, table, DataType.FLOAT32);
            this.keySin = plan.upload(ks, table, DataType.FLOAT32);
            for (Slot w : plan.slots()) {
                List<ViewBlock> blocks = new ArrayList<>();
                int viewLength = 0;
                for (KvBlock b : w.view()) {
                    if (b.length() == 0) {
                        continue;
                    }
                    // Stored keys are rotated to base + j; the view wants offset + j.
                    float[] c = new float[headDim];
                    float[] s = new float[headDim];
                    rope.fill(w.offsetOf(b) - b.base(), c, s, 0, 2, 1);
                    blocks.add(new ViewBlock(b, plan.upload(c, new Shape(headDim / 2, 2), plan.dtype()),
                            plan.upload(s, new Shape(headDim / 2, 2), plan.dtype())));
                    viewLength += b.length();
                }
                // Key-major [viewLength, group * count], like the scores: everything up to the query itself.
                int width = group * w.count();
                float[] m = new float[viewLength * width];
                int targetOffset = w.offsetOf(w.target());
                for (int i = 0; i < w.count(); i++) {
                    int position = targetOffset + w.start() + i;
                    for (int j = position + 1; j < viewLength; j++) {
                        for (int g = 0; g < group; g++) {
                            m[j * width + g * w.count() + i] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
                writers.add(new Writer(w, blocks, plan.upload(m, new Shape(viewLength, width), DataType.FLOAT32)));
            }
        }

        @Override
        public NDArray attend(int layer, NDArray qk, NDArray values) {
            NDManager scope = qk.getManager();
            NDArray keys = Torch.narrow(Rope.apply(qk, keyCos, keySin, 2), 4, group, 1, scope)
                    .reshape(kvHeads, headDim, rows).transpose(2, 0, 1).toType(plan.dtype(), false);
            plan.storeKeys(layer, keys);
            plan.storeValues(layer, values);
            NDArray queries = Torch.narrow(Rope.apply(qk, queryCos, querySin, 2), 4, 0, group, scope)
                    .toType(plan.dtype(), false);
            NDList outputs = new NDList(writers.size());
            for (Writer w : writers) {
                Slot s = w.slot();
                NDList viewKeys = new NDList();
                NDList viewValues = new NDList();
                for (ViewBlock vb : w.blocks()) {
                    KvBlock b = vb.block();
                    NDArray k = Torch.narrow(plan.keys(layer), 1, b.start(), b.length(), scope)
                            .reshape(kvHeads, b.length(), headDim / 2, 2);
                    viewKeys.add(Rope.apply(k, vb.cos(), vb.sin(), 3).reshape(kvHeads, b.length(), headDim));
                    viewValues.add(Torch.narrow(plan.values(layer), 2, b.start(), b.length(), scope));
                }
                NDArray k = viewKeys.size() == 1 ? viewKeys.get(0) : NDArrays.concat(viewKeys, 1);
                NDArray v = viewValues.size() == 1 ? viewValues.get(0) : NDArrays.concat(viewValues, 2);
                NDArray q = Torch.narrow(queries, 5, s.row(), s.count(), scope)
                        .reshape(kvHeads, headDim, (long) group * s.count());
                NDArray probs = Torch.softmax(Torch.matmul(k, q, scope).add(w.mask()), 1, DataType.FLOAT32)
                        .toType(plan.dtype(), false);
                outputs.add(Torch.matmul(v, probs, scope).reshape(kvHeads, headDim, group, s.count()));
            }
            NDArray out = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 3);
            return out.reshape((long) kvHeads * headDim * group, rows);
        }
    }
}
