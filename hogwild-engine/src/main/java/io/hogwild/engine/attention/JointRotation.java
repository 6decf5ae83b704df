package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.rope.Rope;
import io.hogwild.engine.tensor.Torch;
import java.util.ArrayList;
import java.util.List;

/**
 * The rotation of every session's queries and keys in a joint pass (continuous batching) as one broadcast, then each
 * session's attention over its own cache.
 *
 * <p>Each session's shared-attention pass rotates its rows once per slot ({@link SharedAttention}). Here the tables of
 * all sessions are laid side by side along the rows, each padded with zero rotations to the largest slot count, so
 * that one rotation serves every session of the layer; a session then takes its rows (one copy) and attends as it
 * would alone. The operators a session adds to a layer for its rotation and its rows drop from eight (two slices, a
 * transpose, four for the rotation, a reshape) to three (two slices and the copy), which is what a joint pass of many
 * small sessions pays for.
 */
public final class JointRotation {

    private final List<SharedAttention.Pass> parts;
    private final long[] firstRow;
    private final int slots;
    private final NDArray cos;
    private final NDArray sin;

    private JointRotation(List<SharedAttention.Pass> parts, NDManager pass) {
        this.parts = parts;
        this.firstRow = new long[parts.size()];
        int rows = 0;
        int maxSlots = 1;
        for (int p = 0; p < parts.size(); p++) {
            firstRow[p] = rows;
            rows += parts.get(p).rows;
            maxSlots = Math.max(maxSlots, parts.get(p).slots);
        }
        this.slots = maxSlots;
        int headDim = parts.get(0).headDim;
        // [slots, 1, rows, d/2, 2]: each part's table at its rows, zero in the slots it does not have.
        float[] c = new float[slots * rows * headDim];
        float[] s = new float[c.length];
        for (int p = 0; p < parts.size(); p++) {
            SharedAttention.Pass part = parts.get(p);
            for (int k = 0; k < part.slots; k++) {
                for (int r = 0; r < part.rows; r++) {
                    int from = (k * part.rows + r) * headDim;
                    int to = (int) ((k * (long) rows + firstRow[p] + r) * headDim);
                    System.arraycopy(part.cosTable, from, c, to, headDim);
                    System.arraycopy(part.sinTable, from, s, to, headDim);
                }
            }
        }
        Shape table = new Shape(slots, 1, rows, headDim / 2, 2);
        this.cos = pass.create(c, table);
        this.sin = pass.create(s, table);
    }

    /**
     * The joint rotation of {@code steps}, or {@code null} when there is nothing to join (one step, or a step of
     * another attention mode, which then attends on its own).
     */
    public static JointRotation of(List<Attention.PassAttention> steps, NDManager pass) {
        if (steps.size() < 2) {
            return null;
        }
        List<SharedAttention.Pass> parts = new ArrayList<>(steps.size());
        for (Attention.PassAttention step : steps) {
            if (!(step instanceof SharedAttention.Pass shared)) {
                return null;
            }
            parts.add(shared);
        }
        return new JointRotation(parts, pass);
    }

    /**
     * One layer's attention for every part, in part order: {@code qk} and {@code values} hold the rows of all parts,
     * as {@link Attention.PassAttention#attend} takes them; each output is {@code [kvHeads, group * rows, headDim]}.
     */
    public List<NDArray> attend(int layer, NDArray qk, NDArray values, NDManager scope) {
        // [kv, slots, group + 1, rows of all parts, d/2, 2]
        NDArray rotated = Rope.apply(qk.transpose(1, 2, 3, 0, 4, 5), cos, sin, 5);
        List<NDArray> outputs = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            SharedAttention.Pass part = parts.get(p);
            DataType dtype = part.plan.dtype();
            NDArray mine = Torch.narrow(rotated, 3, firstRow[p], part.rows, scope).toType(dtype, false)
                    .reshape(part.kvHeads, slots * part.perSlot(), part.headDim);
            NDArray partValues = Torch.narrow(values, 0, firstRow[p], part.rows, scope);
            outputs.add(part.attendRotated(layer, mine, partValues, slots));
        }
        return outputs;
    }
}
