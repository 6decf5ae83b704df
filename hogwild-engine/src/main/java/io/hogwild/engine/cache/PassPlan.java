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
 * in {@code [0, readEnd())}. Column {@code readEnd()} exists and is scratch: a pass may write there what it never
 * reads (see {@link #keyStore}).
 *
 * @param tokenIds the pass's tokens, writers in the order given, each writer's tokens contiguous
 * @param slots one per writer
 * @param pass the pass's manager: everything computed for the pass belongs to it
 * @param dtype the dtype of the cache and of the attention's operands
 * @param alignedEnd end of the aligned columns a pass reads
 * @param floatingStart first floating column
 * @param floatingEnd end of the floating columns in use
 * @param newColumns arena column of each new token
 * @param valueIndex the new tokens' columns, as an index on the first axis of the values by column
 */
public record PassPlan(long[] tokenIds, List<Slot> slots, NDManager pass, DataType dtype, KvArena arena,
                       int alignedEnd, int floatingStart, int floatingEnd, long[] newColumns, NDIndex valueIndex) {

    static PassPlan of(long[] tokenIds, List<Slot> slots, NDManager pass, DataType dtype, KvArena arena,
                       long[] newColumns) {
        NDIndex valueIndex = new NDIndex();
        // NDIndex has no builder method for a tensor index other than parsing "{}"; its element list is mutable.
        // A tensor alone: an index with a full slice costs one more operator per use.
        valueIndex.getIndices().add(new NDIndexTake(pass.create(newColumns)));
        return new PassPlan(tokenIds, slots, pass, dtype, arena, arena.alignedEnd(), arena.floatingStart(),
                arena.floatingEnd(), newColumns, valueIndex);
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

    /** Keys of one layer {@code [kvHeads, headDim, capacity]} (the cache's storage: read it through slices). */
    public NDArray keys(int layer) {
        return arena.keys(layer);
    }

    /** Values of one layer {@code [kvHeads, capacity, headDim]}. */
    public NDArray values(int layer) {
        return arena.values(layer);
    }

    /**
     * The index that stores a layer's rotated vectors {@code [kvHeads, entries, headDim]} with one
     * {@code index_put}: entry {@code e} goes to arena column {@code columns[e]}, or, when that is negative, to the
     * scratch column {@link #readEnd()}, which no pass reads (all of them: whichever lands last does not matter).
     * So new keys are stored straight out of an array that also holds the queries.
     */
    public NDIndex keyStore(long[] columns, int kvHeads) {
        long[] target = new long[columns.length];
        for (int e = 0; e < columns.length; e++) {
            target[e] = columns[e] >= 0 ? columns[e] : readEnd();
        }
        long[] heads = new long[kvHeads];
        for (int h = 0; h < kvHeads; h++) {
            heads[h] = h;
        }
        NDIndex index = new NDIndex();
        index.getIndices().add(new NDIndexTake(pass.create(heads, new Shape(kvHeads, 1))));
        index.getIndices().add(new NDIndexTake(pass.create(target, new Shape(1, target.length))));
        return index;
    }

    /** Stores one layer's vectors {@code [kvHeads, entries, headDim]} as {@code index} (from {@link #keyStore}) says. */
    public void storeKeys(int layer, NDArray vectors, NDIndex index) {
        Torch.put(arena.keysByColumn(layer), index, vectors);
    }

    /** Stores one layer's new values, given {@code [tokens, kvHeads, 1, 1, headDim/2, 2]}, at the new tokens' columns. */
    public void storeValues(int layer, NDArray values) {
        Torch.put(arena.valuesByColumn(layer), valueIndex, values);
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
