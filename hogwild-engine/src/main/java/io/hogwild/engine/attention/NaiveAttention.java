package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
import java.util.Arrays;
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

    private static final class Pass extends PassShape {
        private final NDArray queryCos;
        private final NDArray querySin;
        private final NDArray keyCos;
        private final NDArray keySin;
        private final NDIndex keyStore;
        private final List<Writer> writers = new ArrayList<>();

        Pass(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
            super(plan, config);
            // Queries rotate to their position in their writer's view; new keys to base + local index.
            float[] qc = new float[headDim * rows];
            float[] qs = new float[qc.length];
            float[] kc = new float[qc.length];
            float[] ks = new float[qc.length];
            long[] target = new long[(group + 1) * rows];
            Arrays.fill(target, -1);
            for (Slot w : plan.slots()) {
                for (int i = 0; i < w.count(); i++) {
                    int r = w.row() + i;
                    rope.fill(w.queryPosition(i), qc, qs, r * headDim, 2, 1);
                    rope.fill(w.target().base() + w.start() + i, kc, ks, r * headDim, 2, 1);
                    target[group * rows + r] = plan.newColumns()[r];
                }
            }
            Shape table = new Shape(1, 1, rows, headDim / 2, 2);
            this.queryCos = plan.upload(qc, table, DataType.FLOAT32);
            this.querySin = plan.upload(qs, table, DataType.FLOAT32);
            this.keyCos = plan.upload(kc, table, DataType.FLOAT32);
            this.keySin = plan.upload(ks, table, DataType.FLOAT32);
            // Keys are stored straight out of the rotated heads: the key head's vectors to their columns.
            this.keyStore = plan.keyStore(target, kvHeads);
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
                    blocks.add(new ViewBlock(b, plan.upload(c, new Shape(headDim / 2, 2, 1), DataType.FLOAT32),
                            plan.upload(s, new Shape(headDim / 2, 2, 1), DataType.FLOAT32)));
                    viewLength += b.length();
                }
                // [group * count, viewLength], like the scores: everything up to the query itself.
                float[] m = new float[group * w.count() * viewLength];
                int targetOffset = w.offsetOf(w.target());
                for (int g = 0; g < group; g++) {
                    for (int i = 0; i < w.count(); i++) {
                        int position = targetOffset + w.start() + i;
                        int row = (g * w.count() + i) * viewLength;
                        Arrays.fill(m, row + position + 1, row + viewLength, Float.NEGATIVE_INFINITY);
                    }
                }
                writers.add(new Writer(w, blocks,
                        plan.upload(m, new Shape((long) group * w.count(), viewLength), DataType.FLOAT32)));
            }
        }

        @Override
        public NDArray attend(int layer, NDArray qk, NDArray values) {
            NDManager scope = qk.getManager();
            NDArray heads = qk.transpose(1, 2, 3, 0, 4, 5); // [kv, 1, group + 1, rows, d/2, 2]
            NDArray keys = Rope.apply(heads, keyCos, keySin, 5).toType(plan.dtype(), false)
                    .reshape(kvHeads, (long) (group + 1) * rows, headDim);
            plan.storeKeys(layer, keys, keyStore);
            plan.storeValues(layer, values);
            NDArray queries = Torch.narrow(Rope.apply(heads, queryCos, querySin, 5), 2, 0, group, scope)
                    .toType(plan.dtype(), false);
            NDList outputs = new NDList(writers.size());
            for (Writer w : writers) {
                Slot s = w.slot();
                NDList viewKeys = new NDList();
                NDList viewValues = new NDList();
                for (ViewBlock vb : w.blocks()) {
                    KvBlock b = vb.block();
                    NDArray k = Torch.narrow(plan.keys(layer), 2, b.start(), b.length(), scope)
                            .toType(DataType.FLOAT32, false).reshape(kvHeads, headDim / 2, 2, b.length());
                    viewKeys.add(Rope.apply(k, vb.cos(), vb.sin(), 2).toType(plan.dtype(), false)
                            .reshape(kvHeads, headDim, b.length()));
                    viewValues.add(Torch.narrow(plan.values(layer), 1, b.start(), b.length(), scope));
                }
                NDArray k = viewKeys.size() == 1 ? viewKeys.get(0) : NDArrays.concat(viewKeys, 2);
                NDArray v = viewValues.size() == 1 ? viewValues.get(0) : NDArrays.concat(viewValues, 1);
                NDArray q = Torch.narrow(queries, 3, s.row(), s.count(), scope)
                        .reshape(kvHeads, (long) group * s.count(), headDim);
                NDArray probs = Torch.softmax(Torch.matmul(q, k, scope).add(w.mask()), 2, DataType.FLOAT32)
                        .toType(plan.dtype(), false);
                outputs.add(Torch.matmul(probs, v, scope).reshape(kvHeads, group, s.count(), headDim));
            }
            NDArray out = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 2);
            return out.reshape(kvHeads, (long) group * rows, headDim);
        }
    }
}
