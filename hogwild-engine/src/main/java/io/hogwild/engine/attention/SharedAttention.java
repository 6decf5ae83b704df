package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hogwild! attention over the block cache without touching stored keys, in a fixed number of operators per layer
 * whatever the number of blocks and workers.
 *
 * <p>A query at view position {@code p} scores a key stored rotated to {@code base + j} (block at offset {@code o})
 * exactly like the query rotated to {@code p - o + base} scores the key rotated to {@code j}. For aligned blocks
 * {@code base = o} in every view, so each query needs one rotation, {@code p}, for all of them: they are scored
 * with one matmul over their columns, like an ordinary sequence. Each floating block needs its own rotation per
 * query: the queries are rotated once per floating block (a "slot"), all floating columns are scored against every
 * slot in one matmul, and a precomputed one-hot picks each column's own slot. One softmax over all columns (a mask
 * hides what a writer does not see and, in its target block, the keys after the query), one matmul with the values.
 *
 * <p>The new keys are rotated in the same broadcast as the queries (a key's rotation is its writer's query rotation
 * for its target block), and that whole array is stored with one {@code index_put}: the keys to their columns, every
 * other vector to scratch columns the pass never reads.
 */
final class SharedAttention implements Attention {

    @Override
    public PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
        return new Pass(plan, config, rope);
    }

    private static final class Pass extends PassShape {
        /** Rotations per query: slot 0 for aligned blocks, then one per floating block some writer sees. */
        private final int slots;
        private final NDArray cos;
        private final NDArray sin;
        private final NDIndex keyStore;
        private final NDArray mask;
        private final NDArray slotOfColumn;

        Pass(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
            super(plan, config);
            List<KvBlock> floating = floatingBlocksSeen(plan);
            Map<KvBlock, Integer> slotOf = new LinkedHashMap<>();
            for (KvBlock b : floating) {
                slotOf.put(b, slotOf.size() + 1);
            }
            this.slots = 1 + floating.size();

            // Rotation tables [slots, 1, rows, d/2, 2]: slot 0 rotates to the view position, a floating block's slot
            // to position - offset + base. The rotated array is [kv, slots, group + 1, rows, d]: its entry
            // (slot, head, row) is vector number (slot * (group + 1) + head) * rows + row of a kv head.
            float[] c = new float[slots * rows * headDim];
            float[] s = new float[c.length];
            long[] target = new long[slots * (group + 1) * rows];
            Arrays.fill(target, -1);
            for (Slot w : plan.slots()) {
                for (int i = 0; i < w.count(); i++) {
                    int r = w.row() + i;
                    int position = w.queryPosition(i);
                    rope.fill(position, c, s, r * headDim, 2, 1);
                    for (KvBlock b : floating) {
                        if (w.view().contains(b)) {
                            int slot = slotOf.get(b);
                            rope.fill(position - w.offsetOf(b) + b.base(), c, s, (slot * rows + r) * headDim, 2, 1);
                        }
                    }
                    // A new key is rotated like its writer's query for its target block: to base + local index.
                    int keySlot = w.target().isFloating() ? slotOf.get(w.target()) : 0;
                    target[(keySlot * (group + 1) + group) * rows + r] = plan.newColumns()[r];
                }
            }
            Shape table = new Shape(slots, 1, rows, headDim / 2, 2);
            this.cos = plan.upload(c, table, DataType.FLOAT32);
            this.sin = plan.upload(s, table, DataType.FLOAT32);
            // All rotated vectors go to the cache in one store: the new keys to their columns, the rest to scratch.
            this.keyStore = plan.keyStore(target, kvHeads);
            this.mask = visibilityMask(plan);
            this.slotOfColumn = floating.isEmpty() ? null : slotOfColumn(plan, floating, slotOf);
        }

        @Override
        public NDArray attend(int layer, NDArray qk, NDArray values) {
            NDManager scope = qk.getManager();
            // Every query for every slot, and the new keys, in one broadcast: [kv, slots, group + 1, rows, d/2, 2].
            NDArray rotated = Rope.apply(qk.transpose(1, 2, 3, 0, 4, 5), cos, sin, 5).toType(plan.dtype(), false)
                    .reshape(kvHeads, (long) slots * (group + 1) * rows, headDim);
            plan.storeKeys(layer, rotated, keyStore);
            plan.storeValues(layer, values);
            long queries = (long) group * rows;
            NDArray keys = plan.keys(layer);
            NDArray scores = null;
            if (plan.alignedEnd() > 0) {
                scores = Torch.matmul(Torch.narrow(rotated, 1, 0, queries, scope),
                        Torch.narrow(keys, 2, 0, plan.alignedEnd(), scope), scope);
            }
            if (slotOfColumn != null) {
                NDArray floatingScores = floatingScores(keys, rotated, scope);
                scores = scores == null ? floatingScores : scores.concat(floatingScores, 2);
            }
            if (mask != null) {
                scores = scores.add(mask);
            }
            NDArray probs = Torch.softmax(scores, 2, DataType.FLOAT32).toType(plan.dtype(), false);
            return Torch.matmul(probs, Torch.narrow(plan.values(layer), 1, 0, plan.readEnd(), scope), scope);
        }

        /** Scores of the floating columns: against every slot at once, then each column's own slot picked. */
        private NDArray floatingScores(NDArray keys, NDArray rotated, NDManager scope) {
            int columns = plan.floatingEnd() - plan.floatingStart();
            long perSlot = (long) (group + 1) * rows;
            NDArray all = Torch.matmul(Torch.narrow(rotated, 1, perSlot, (slots - 1) * perSlot, scope),
                    Torch.narrow(keys, 2, plan.floatingStart(), columns, scope), scope);
            NDArray own = Torch.sum(all.reshape(kvHeads, slots - 1, perSlot, columns).mul(slotOfColumn), false, 1);
            return Torch.narrow(own, 1, 0, (long) group * rows, scope);
        }

        /** The floating blocks some writer of the pass reads, in column order. */
        private static List<KvBlock> floatingBlocksSeen(PassPlan plan) {
            List<KvBlock> seen = new ArrayList<>();
            for (Slot w : plan.slots()) {
                for (KvBlock b : w.view()) {
                    if (b.isFloating() && b.length() > 0 && !seen.contains(b)) {
                        seen.add(b);
                    }
                }
            }
            seen.sort(Comparator.comparingInt(KvBlock::start));
            return seen;
        }

        /**
         * Additive mask {@code [group * rows, columns]} over the read columns (aligned ones, then floating ones):
         * 0 where a row's writer sees the key, minus infinity elsewhere (blocks outside its view, keys after the
         * query in its target block, columns of no token). {@code null} when every row sees every column.
         */
        private NDArray visibilityMask(PassPlan plan) {
            int alignedColumns = plan.alignedEnd();
            int columns = alignedColumns + (plan.floatingEnd() - plan.floatingStart());
            float[] m = new float[group * rows * columns];
            Arrays.fill(m, Float.NEGATIVE_INFINITY);
            long visible = 0;
            for (Slot w : plan.slots()) {
                for (KvBlock b : w.view()) {
                    if (b.length() == 0) {
                        continue;
                    }
                    int first = b.isFloating() ? alignedColumns + b.start() - plan.floatingStart() : b.start();
                    for (int i = 0; i < w.count(); i++) {
                        int r = w.row() + i;
                        int seen = b == w.target() ? w.start() + i + 1 : b.length();
                        for (int g = 0; g < group; g++) {
                            Arrays.fill(m, (g * rows + r) * columns + first, (g * rows + r) * columns + first + seen, 0f);
                        }
                        visible += seen;
                    }
                }
            }
            return visible == (long) columns * rows ? null
                    : plan.upload(m, new Shape(group * rows, columns), DataType.FLOAT32);
        }

        /** One-hot {@code [slots - 1, 1, floating columns]}: 1 at the slot of the block owning the column. */
        private NDArray slotOfColumn(PassPlan plan, List<KvBlock> floating, Map<KvBlock, Integer> slotOf) {
            int columns = plan.floatingEnd() - plan.floatingStart();
            float[] onehot = new float[floating.size() * columns];
            for (KvBlock b : floating) {
                int first = (slotOf.get(b) - 1) * columns + b.start() - plan.floatingStart();
                Arrays.fill(onehot, first, first + b.length(), 1f);
            }
            return plan.upload(onehot, new Shape(floating.size(), 1, columns), plan.dtype());
        }
    }
}
