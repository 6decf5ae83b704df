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
import java.util.HashMap;
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
 * slot in one matmul, and one gather with precomputed indices picks each column's own slot. One softmax over all
 * columns (a mask hides what a writer does not see and, in its target block, the keys after the query), one matmul
 * with the values.
 *
 * <p>The new keys are rotated in the same broadcast as the queries (a key's rotation is its writer's query rotation
 * for its target block), and that whole array is stored with one {@code index_put}: the keys to their columns, every
 * other vector to scratch columns the pass never reads. In a pass of several sessions the broadcast is one for all of
 * them ({@link JointRotation}).
 *
 * <p>On the CPU, for a small model's passes of a few rows, the store and everything after the rotation is one native
 * call per layer instead ({@link AttentionKernel}): there each of these operators costs more to dispatch than to
 * compute.
 */
final class SharedAttention implements Attention {

    @Override
    public PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
        return new Pass(plan, config, rope);
    }

    static final class Pass extends PassShape {
        /** Rotations per query: slot 0 for aligned blocks, then one per floating block some writer sees. */
        final int slots;
        /** Rotation tables {@code [slots, 1, rows, d/2, 2]} on the host: cos, signed sin. */
        final float[] cosTable;
        final float[] sinTable;
        /** Per rotated vector (slot, head, row): its cache column, or -1 (scratch). */
        private final long[] keyColumns;
        /** Per row, the slot its new key is rotated for (its target block's). */
        private final int[] keySlots;
        /** The visibility mask on the host, {@code null} when every row sees every column. */
        private final float[] maskHost;
        /** Per floating column, the slot its block's keys are scored with (0 for a column of no block). */
        private final int[] slotOfColumn;
        /** Whether the layers of this pass go to the {@link AttentionKernel}. */
        private final boolean kernel;
        /** Device tables and indices, built on first use; keyed by the slots of the rotated array they serve. */
        private NDArray cos;
        private NDArray sin;
        private NDArray mask;
        private final Map<Integer, NDIndex> keyStores = new HashMap<>();
        private final Map<Integer, NDArray> ownScores = new HashMap<>();

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
            int[] keySlotOfRow = new int[rows];
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
                    keySlotOfRow[r] = keySlot;
                }
            }
            this.cosTable = c;
            this.sinTable = s;
            this.keyColumns = target;
            this.keySlots = keySlotOfRow;
            this.maskHost = visibilityMask(plan, group, rows);
            this.slotOfColumn = floating.isEmpty() ? null : slotsOfColumns(plan, slotOf);
            this.kernel = AttentionKernel.applies(rows, plan.dtype(), plan.pass().getDevice());
        }

        float[] maskHost() {
            return maskHost;
        }

        int[] slotOfColumn() {
            return slotOfColumn;
        }

        int[] keySlots() {
            return keySlots;
        }

        /** Rotated vectors per slot, {@code (group + 1) * rows}: a rotated array holds {@code slots * perSlot()}. */
        long perSlot() {
            return (long) (group + 1) * rows;
        }

        @Override
        public NDArray attend(int layer, NDArray qk, NDArray values) {
            if (cos == null) {
                Shape table = new Shape(slots, 1, rows, headDim / 2, 2);
                cos = plan.upload(cosTable, table, DataType.FLOAT32);
                sin = plan.upload(sinTable, table, DataType.FLOAT32);
            }
            // Every query for every slot, and the new keys, in one broadcast: [kv, slots, group + 1, rows, d/2, 2].
            NDArray rotated = Rope.apply(qk.transpose(1, 2, 3, 0, 4, 5), cos, sin, 5).toType(plan.dtype(), false)
                    .reshape(kvHeads, slots * perSlot(), headDim);
            return attendRotated(layer, rotated, values, slots);
        }

        /**
         * Attention given the rotated vectors {@code [kv, rotatedSlots * perSlot(), d]} (this pass's slots first; any
         * further ones, of a joint rotation across sessions, are padding), in the cache's dtype.
         */
        NDArray attendRotated(int layer, NDArray rotated, NDArray values, int rotatedSlots) {
            NDManager scope = rotated.getManager();
            if (kernel) {
                NDArray out = AttentionKernel.attend(this, layer, rotated, rotatedSlots, values, scope);
                if (out != null) {
                    return out;
                }
            }
            // All rotated vectors go to the cache in one store: the new keys to their columns, the rest to scratch.
            plan.storeKeys(layer, rotated, keyStores.computeIfAbsent(rotatedSlots, this::keyStore));
            plan.storeValues(layer, values);
            long queries = (long) group * rows;
            NDArray keys = plan.keys(layer);
            NDArray scores = null;
            if (plan.alignedEnd() > 0) {
                scores = Torch.matmul(Torch.narrow(rotated, 1, 0, queries, scope),
                        Torch.narrow(keys, 2, 0, plan.alignedEnd(), scope), scope);
            }
            if (slotOfColumn != null) {
                NDArray floatingScores = floatingScores(keys, rotated, rotatedSlots, scope);
                scores = scores == null ? floatingScores : scores.concat(floatingScores, 2);
            }
            if (maskHost != null) {
                if (mask == null) {
                    // [group * rows, columns], the columns being every one the pass reads.
                    mask = plan.upload(maskHost, new Shape((long) group * rows, plan.readEnd()), DataType.FLOAT32);
                }
                scores = scores.add(mask);
            }
            NDArray probs = Torch.softmax(scores, 2, DataType.FLOAT32).toType(plan.dtype(), false);
            return Torch.matmul(probs, Torch.narrow(plan.values(layer), 1, 0, plan.readEnd(), scope), scope);
        }

        /** The store of every rotated vector: this pass's new keys to their columns, the rest to scratch. */
        private NDIndex keyStore(int rotatedSlots) {
            long[] target = Arrays.copyOf(keyColumns, Math.toIntExact(rotatedSlots * perSlot()));
            Arrays.fill(target, keyColumns.length, target.length, -1);
            return plan.keyStore(target, kvHeads);
        }

        /**
         * Scores of the floating columns: every rotated vector against them in one matmul, then each column's own
         * slot picked for each query by one gather ({@code take}), {@code [kv, group * rows, columns]}.
         */
        private NDArray floatingScores(NDArray keys, NDArray rotated, int rotatedSlots, NDManager scope) {
            int columns = plan.floatingEnd() - plan.floatingStart();
            NDArray all = Torch.matmul(rotated, Torch.narrow(keys, 2, plan.floatingStart(), columns, scope), scope);
            return Torch.take(all, ownScores.computeIfAbsent(rotatedSlots, this::ownScoreIndex), scope);
        }

        /**
         * Flat indices into {@code [kv, rotatedSlots * perSlot(), columns]} of each (kv head, query, column)'s score
         * with the column's own slot: {@code [kv, group * rows, columns]}.
         */
        private NDArray ownScoreIndex(int rotatedSlots) {
            int columns = slotOfColumn.length;
            int queries = group * rows;
            long vectors = rotatedSlots * perSlot();
            long[] index = new long[kvHeads * queries * columns];
            int at = 0;
            for (int h = 0; h < kvHeads; h++) {
                for (int q = 0; q < queries; q++) {
                    for (int col = 0; col < columns; col++) {
                        index[at++] = ((h * vectors) + slotOfColumn[col] * perSlot() + q) * columns + col;
                    }
                }
            }
            return plan.upload(index, new Shape(kvHeads, queries, columns));
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
        private static float[] visibilityMask(PassPlan plan, int group, int rows) {
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
            return visible == (long) columns * rows ? null : m;
        }

        /** Per floating column, the slot of the block that owns it (0, never read, for a column of no block). */
        private static int[] slotsOfColumns(PassPlan plan, Map<KvBlock, Integer> slotOf) {
            int[] slot = new int[plan.floatingEnd() - plan.floatingStart()];
            slotOf.forEach((b, k) -> Arrays.fill(slot, b.start() - plan.floatingStart(),
                    b.start() - plan.floatingStart() + b.length(), k));
            return slot;
        }
    }
}
