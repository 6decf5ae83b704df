package io.hogwild.engine.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.index.dim.NDIndexTake;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.tensor.Torch;
import java.util.List;

/**
 * The layout of one lockstep pass, fixed before the forward pass: which rows of the token batch belong to which
 * writer and where they land in the cache's storage, and what a pass reads of it.
 *
 * <p>Block lengths already include this pass's tokens: every key of the pass is stored (layer by layer) before
 * any query of that layer attends, so offsets are those of the blocks after the write.
 *
 * <p>Reads: the aligned columns {@code [0, alignedEnd)} and the floating ones {@code [floatingStart, floatingEnd)},
 * with {@code alignedEnd == floatingStart} whenever there are floating ones, so that every column a pass reads lies
 * in {@code [0, readEnd())}.
 *
 * @param tokenIds the pass's tokens, writers in the order given, each writer's tokens contiguous
 * @param slots one per writer
 * @param pass the pass's manager: everything computed for the pass belongs to it
 * @param dtype the dtype of the cache and of the attention's operands
 * @param alignedEnd end of the aligned columns a pass reads
 * @param floatingStart first floating column
 * @param floatingEnd end of the floating columns in use
 * @param keyIndex where a layer's new keys go in its keys by column {@code [capacity, kvHeads, headDim]}
 * @param valueIndex where a layer's new values go in its values {@code [kvHeads * headDim, capacity]}
 */
public record PassPlan(long[] tokenIds, List<Slot> slots, NDManager pass, DataType dtype, KvArena arena,
                       int alignedEnd, int floatingStart, int floatingEnd, NDIndex keyIndex, NDIndex valueIndex) {

    /**
     * The layout of a pass whose new tokens go to arena columns {@code newColumns}. The indices that store their keys
     * and values are built once here, as tensors only (an index with a full slice costs one more operator per use).
     */
    static PassPlan of(long[] tokenIds, List<Slot> slots, NDManager pass, DataType dtype, KvArena arena,
                       long[] newColumns, int valueRows) {
        NDArray columns = pass.create(newColumns);
        long[] rows = new long[valueRows];
        for (int i = 0; i < valueRows; i++) {
            rows[i] = i;
        }
        NDIndex keyIndex = new NDIndex();
        // NDIndex has no builder method for a tensor index other than parsing "{}"; its element list is mutable.
        keyIndex.getIndices().add(new NDIndexTake(columns));
        NDIndex valueIndex = new NDIndex();
        valueIndex.getIndices().add(new NDIndexTake(pass.create(rows, new Shape(valueRows, 1))));
        valueIndex.getIndices().add(new NDIndexTake(columns.reshape(1, newColumns.length)));
        return new PassPlan(tokenIds, slots, pass, dtype, arena, arena.alignedEnd(), arena.floatingStart(),
                arena.floatingEnd(), keyIndex, valueIndex);
    }

    public int tokens() {
        return tokenIds.length;
    }

    public boolean hasFloating() {
        return floatingEnd > floatingStart;
    }

    /** End of everything a pass reads: aligned and floating columns back to back. */
    public int readEnd() {
        return hasFloating() ? floatingEnd : alignedEnd;
    }

    /** Keys of one layer {@code [kvHeads, capacity, headDim]} (the cache's storage: read it through slices). */
    public NDArray keys(int layer) {
        return arena.keys(layer);
    }

    /** Values of one layer {@code [kvHeads, headDim, capacity]}. */
    public NDArray values(int layer) {
        return arena.values(layer);
    }

    /** Stores one layer's new keys, given {@code [tokens, kvHeads, headDim]}, at the new tokens' columns. */
    public void storeKeys(int layer, NDArray keys) {
        Torch.put(arena.keysByColumn(layer), keyIndex, keys);
    }

    /** Stores one layer's new values, given {@code [kvHeads * headDim, tokens]}, at the new tokens' columns. */
    public void storeValues(int layer, NDArray values) {
        Torch.put(arena.valueRows(layer), valueIndex, values);
    }

    /** Copies host-side pass data (RoPE tables, masks) to the device, in {@code dtype}. */
    public NDArray upload(float[] values, Shape shape, DataType type) {
        return pass.create(values, shape).toType(type, false);
    }

    /** Copies host-side indices to the device. */
    public NDArray upload(long[] values, Shape shape) {
        return pass.create(values, shape);
    }
}
