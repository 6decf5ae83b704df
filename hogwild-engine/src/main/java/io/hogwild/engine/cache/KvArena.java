package io.hogwild.engine.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.rope.Rope;
import io.hogwild.engine.rope.RotaryEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * The storage of one session's keys and values: one tensor for all keys and one for all values, every layer and
 * every block in it, so that a pass reads what a layer needs with a slice or two whatever the number of blocks.
 *
 * <p>Keys are {@code [layers, kvHeads, headDim, capacity]} (a pass scores {@code queries @ keys}) and values
 * {@code [layers, kvHeads, capacity, headDim]} (the attention output is {@code probs @ values}): so the queries and
 * probabilities, the small operands, are plain row-major matrices, the orientation in which CPU BLAS reads the cache
 * at memory speed for a few rows (it is several times slower with them transposed). Head dimensions are in rotary
 * pair order ({@code WeightLayout}).
 * Each {@link KvBlock} owns a segment of columns. The columns are laid out as
 * {@code [aligned segments | floating segments | free]}, the floating ones starting right after the used part of
 * the aligned ones whenever there are any, so that one slice covers everything a pass reads.
 *
 * <p>Growth: a segment grows in place while it has headroom, by 1.5x when full. The last aligned segment grows by
 * moving the (small) floating segments along; another aligned segment that is full moves to the end of the aligned
 * ones, leaving a hole (and the segment before it, when it is not growing, gives up its headroom); floating
 * segments are laid out again, all together. When holes among the aligned segments exceed a quarter of the stored
 * tokens, the bins are packed again. The tensors themselves grow by 1.5x when full. So appending n tokens copies O(n) columns in
 * total, and no pass copies the cache as a whole. Columns that hold no token of a block (holes, headroom) are
 * zeros or stale keys, always finite, and masked by the pass.
 */
public final class KvArena implements AutoCloseable {

    /** Capacity multiplier when a segment or the arena grows. */
    static final double GROWTH = 1.5;
    /** Smallest segment, so that one-token passes do not move a block every pass. */
    static final int MIN_CAPACITY = 16;
    /** Junk columns always tolerated inside the read range before packing. */
    static final int MIN_JUNK = 64;

    private final NDManager manager;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final DataType dtype;
    private NDArray keys;
    private NDArray values;
    private final List<NDArray> views = new ArrayList<>();
    private NDArray[] layerKeys;
    private NDArray[] layerKeysByColumn;
    private NDArray[] layerValues;
    private NDArray[] layerValuesByColumn;
    private int capacity;
    private final List<KvBlock> aligned = new ArrayList<>();
    private final List<KvBlock> floating = new ArrayList<>();
    /** New capacities of floating blocks that outgrew their segments this pass, applied by {@link #settle()}. */
    private final java.util.Map<KvBlock, Integer> floatingCapacity = new java.util.LinkedHashMap<>();
    /** A floating block left the floating segments from their middle: {@link #settle()} closes the gap. */
    private boolean floatingHoles;
    /** The blocks the current pass writes to (their segments keep their headroom). */
    private java.util.Set<KvBlock> growing = java.util.Set.of();
    private int floatingStart;

    KvArena(NDManager manager, int layers, int kvHeads, int headDim, DataType dtype) {
        this.manager = manager;
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.dtype = dtype;
    }

    int capacity() {
        return capacity;
    }

    /** Keys of one layer, {@code [kvHeads, headDim, capacity]} (a view owned by the cache). */
    NDArray keys(int layer) {
        return layerKeys[layer];
    }

    /** The same keys as {@code [kvHeads, capacity, headDim]}: new keys are stored row by row. */
    NDArray keysByColumn(int layer) {
        return layerKeysByColumn[layer];
    }

    /** Values of one layer, {@code [kvHeads, capacity, headDim]}. */
    NDArray values(int layer) {
        return layerValues[layer];
    }

    /**
     * The same values as {@code [capacity, kvHeads, 1, 1, headDim/2, 2]}, the shape in which a pass's values come
     * out of its q/k/v projection: new values are stored by one index on the first axis.
     */
    NDArray valuesByColumn(int layer) {
        return layerValuesByColumn[layer];
    }

    /** End of the columns an aligned-only read covers: the used part of the aligned bin, or up to the floating bin. */
    int alignedEnd() {
        return floating.isEmpty() ? usedEnd(aligned, 0) : floatingStart;
    }

    int floatingStart() {
        return floatingStart;
    }

    /** End of the used part of the floating bin ({@link #floatingStart()} when it is empty). */
    int floatingEnd() {
        return usedEnd(floating, floatingStart);
    }

    boolean hasFloating() {
        return !floating.isEmpty();
    }

    /** Arrays the arena owns: the two tensors and their per-layer views. */
    int arrayCount() {
        return (keys == null ? 0 : 2) + views.size();
    }

    /** Names the blocks the coming pass (or promotion) writes to. */
    void growing(java.util.Set<KvBlock> blocks) {
        growing = blocks;
    }

    /**
     * Makes room for {@code extra} more tokens of {@code b}, giving it a segment in {@code bin} if it has none. A
     * floating segment that is not the last one only gets its new capacity here; {@link #settle()} then lays the
     * floating segments out again, once for all blocks that grew in the pass.
     */
    void reserve(KvBlock b, int extra, KvBlock.Bin bin) {
        int needed = b.length + extra;
        if (!b.placed()) {
            place(b, bin, grow(0, needed));
        } else if (needed > b.capacity) {
            List<KvBlock> list = bin(b.bin);
            if (list.get(list.size() - 1) == b) {
                extendLast(b, needed);
            } else if (b.bin == KvBlock.Bin.FLOATING) {
                floatingCapacity.put(b, grow(b.capacity, needed));
            } else {
                relocate(b, b.bin, grow(b.capacity, needed));
            }
        }
    }

    /**
     * Gives the floating blocks that outgrew their segments in {@link #reserve} their new capacity by laying all
     * floating segments out again (floating blocks are the small, growing ones: moving them all costs little, and
     * leaves no holes). Call after the reservations of a pass, before its tokens are appended.
     */
    void settle() {
        if (floatingCapacity.isEmpty() && !floatingHoles) {
            return;
        }
        floatingHoles = false;
        int[] from = new int[floating.size()];
        int total = 0;
        for (int i = 0; i < floating.size(); i++) {
            KvBlock b = floating.get(i);
            from[i] = b.start;
            b.capacity = floatingCapacity.getOrDefault(b, b.capacity);
            total += b.capacity;
        }
        floatingCapacity.clear();
        int oldEnd = usedEnd(floating, floatingStart);
        ensureCapacity(floatingStart + total);
        try (NDManager scratch = manager.newSubManager()) {
            // A copy of the old floating columns first: the new segments overlap the old ones.
            NDArray oldKeys = keys.get(scratch, columns(3, floatingStart, oldEnd - floatingStart)).duplicate();
            NDArray oldValues = values.get(scratch, columns(2, floatingStart, oldEnd - floatingStart)).duplicate();
            int at = floatingStart;
            for (int i = 0; i < floating.size(); i++) {
                KvBlock b = floating.get(i);
                int n = b.length;
                if (n > 0) {
                    int source = from[i] - floatingStart;
                    keys.set(columns(3, at, n), oldKeys.get(scratch, columns(3, source, n)));
                    values.set(columns(2, at, n), oldValues.get(scratch, columns(2, source, n)));
                }
                b.start = at;
                at += b.capacity;
            }
        }
    }

    /** Moves a block's segment to the end of {@code bin} (its tokens go along). */
    void move(KvBlock b, KvBlock.Bin bin) {
        if (!b.placed()) {
            b.bin = bin;
        } else if (b.bin != bin) {
            relocate(b, bin, Math.max(b.capacity, MIN_CAPACITY));
        }
    }

    /**
     * Puts the floating segments right after the used part of the aligned ones (trimming the last aligned segment's
     * headroom: it grows by moving them along), and packs both bins when the holes among the aligned segments pass a
     * quarter of the stored tokens.
     */
    void tidy() {
        int tokens = 0;
        int owned = 0;
        for (int i = 0; i < aligned.size(); i++) {
            KvBlock b = aligned.get(i);
            tokens += b.length;
            owned += i == aligned.size() - 1 ? b.length : b.capacity;
        }
        for (KvBlock b : floating) {
            tokens += b.length;
        }
        // Holes are read by every pass for nothing. (Headroom is too, but it is what lets blocks grow in place; the
        // last aligned block has none while floating ones follow it, see below.)
        int holes = usedEnd(aligned, 0) - owned;
        if (holes > Math.max(MIN_JUNK, tokens / 4)) {
            pack();
        } else if (!floating.isEmpty() && floatingStart != usedEnd(aligned, 0)) {
            if (!aligned.isEmpty()) {
                KvBlock last = aligned.get(aligned.size() - 1);
                last.capacity = last.length;
            }
            shiftFloating(usedEnd(aligned, 0) - floatingStart);
        }
    }

    /** Re-rotates the stored keys of columns {@code start..start+n-1} by {@code shift} positions, in place. */
    void rotateKeys(int start, int n, int shift, RotaryEmbedding rope) {
        if (n == 0 || shift == 0) {
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray k = keys.get(scratch, columns(3, start, n));
            float[] cos = new float[headDim];
            float[] sin = new float[headDim];
            rope.fill(shift, cos, sin, 0, 2, 1);
            Shape table = new Shape(headDim / 2, 2, 1);
            // In float32, so that a 16-bit key is rounded once, like a freshly written one.
            NDArray rotated = Rope.apply(k.toType(DataType.FLOAT32, false).reshape(layers, kvHeads, headDim / 2, 2, n),
                    scratch.create(cos, table), scratch.create(sin, table), 3);
            keys.set(columns(3, start, n), rotated.reshape(k.getShape()).toType(dtype, false));
        }
    }

    /**
     * Copies every layer's keys and values of {@code from}'s first {@code count} tokens to the end of {@code to}, keys
     * rotated by {@code shift}.
     */
    void append(KvBlock from, int count, KvBlock to, int shift, RotaryEmbedding rope) {
        int at = to.column(to.length);
        try (NDManager scratch = manager.newSubManager()) {
            copy(from.start, at, count, scratch);
        }
        rotateKeys(at, count, shift, rope);
    }

    /**
     * Moves {@code b}'s tokens after its first {@code count} to the start of its segment: local index {@code j}
     * becomes {@code j - count}, so its key (stored rotated to {@code base + j}) is rotated by {@code -count}.
     */
    void dropFirst(KvBlock b, int count, RotaryEmbedding rope) {
        int rest = b.length - count;
        if (rest <= 0) {
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            copy(b.start + count, b.start, rest, scratch);
        }
        rotateKeys(b.start, rest, -count, rope);
    }

    /** Gives an empty block a segment of exactly {@code n} columns (a block filled in one go). */
    void reserveExactly(KvBlock b, int n, KvBlock.Bin bin) {
        if (!b.placed()) {
            place(b, bin, n);
        } else {
            reserve(b, n - b.length, bin);
        }
    }

    /** Copies of {@code b}'s first {@code n} columns, keys {@code [layers, kv, d, n]} and values {@code [layers, kv, n, d]}. */
    NDArray[] copyOut(KvBlock b, int n, NDManager into) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray k = keys.get(scratch, columns(3, b.start, n)).duplicate();
            NDArray v = values.get(scratch, columns(2, b.start, n)).duplicate();
            k.attach(into);
            v.attach(into);
            return new NDArray[] {k, v};
        }
    }

    /** Writes the first {@code n} columns of {@code k} and {@code v} (as {@link #copyOut} gives them) into {@code b}'s first columns. */
    void copyIn(KvBlock b, NDArray k, NDArray v, int n) {
        try (NDManager scratch = manager.newSubManager()) {
            keys.set(columns(3, b.start, n), k.get(scratch, columns(3, 0, n)));
            values.set(columns(2, b.start, n), v.get(scratch, columns(2, 0, n)));
        }
    }

    /** Writes random keys and values into {@code b}'s first {@code n} columns (benchmarks that skip prefill). */
    void fillRandom(KvBlock b, int n) {
        try (NDManager scratch = manager.newSubManager()) {
            keys.set(columns(3, b.start, n), scratch.randomNormal(0f, 1f,
                    new Shape(layers, kvHeads, headDim, n), DataType.FLOAT32).toType(dtype, false));
            values.set(columns(2, b.start, n), scratch.randomNormal(0f, 1f,
                    new Shape(layers, kvHeads, n, headDim), DataType.FLOAT32).toType(dtype, false));
        }
    }

    private void place(KvBlock b, KvBlock.Bin bin, int cap) {
        b.bin = bin;
        b.capacity = cap;
        if (bin == KvBlock.Bin.ALIGNED) {
            if (!aligned.isEmpty()) {
                // A block that is not growing any more (a prefilled prompt) gives its headroom to the one placed
                // after it, instead of leaving it in every pass's read range.
                KvBlock last = aligned.get(aligned.size() - 1);
                if (!growing.contains(last)) {
                    last.capacity = last.length;
                }
            }
            b.start = endOf(aligned, 0);
            ensureCapacity(b.start + cap);
            if (b.start + cap > floatingStart) {
                shiftFloating(b.start + cap - floatingStart);
            }
            aligned.add(b);
        } else {
            b.start = endOf(floating, floatingStart);
            ensureCapacity(b.start + cap);
            floating.add(b);
        }
    }

    private void extendLast(KvBlock b, int needed) {
        if (b.bin == KvBlock.Bin.ALIGNED) {
            // With floating segments behind it, extend exactly: they move now and would move back when trimmed.
            int cap = floating.isEmpty() ? grow(b.capacity, needed) : needed;
            ensureCapacity(b.start + cap);
            if (b.start + cap > floatingStart) {
                shiftFloating(b.start + cap - floatingStart);
            }
            b.capacity = cap;
        } else {
            int cap = grow(b.capacity, needed);
            ensureCapacity(b.start + cap);
            b.capacity = cap;
        }
    }

    private void relocate(KvBlock b, KvBlock.Bin bin, int cap) {
        int from = b.start;
        if (b.bin == KvBlock.Bin.FLOATING && floating.get(floating.size() - 1) != b) {
            floatingHoles = true;
        }
        bin(b.bin).remove(b);
        place(b, bin, cap);
        try (NDManager scratch = manager.newSubManager()) {
            copy(from, b.start, b.length, scratch);
        }
    }

    /** Moves the floating segments by {@code delta} columns (either way). */
    private void shiftFloating(int delta) {
        if (delta == 0) {
            return;
        }
        if (!floating.isEmpty()) {
            ensureCapacity(endOf(floating, floatingStart) + delta);
            try (NDManager scratch = manager.newSubManager()) {
                copy(floatingStart, floatingStart + delta, usedEnd(floating, floatingStart) - floatingStart, scratch);
            }
            floating.forEach(b -> b.start += delta);
        }
        floatingStart += delta;
    }

    /**
     * Lays both bins out again without holes, every segment keeping its capacity (headroom is what growing blocks
     * need; trimming it would only make them move again).
     */
    private void pack() {
        NDArray oldKeys = keys;
        NDArray oldValues = values;
        allocate(capacity);
        int at = 0;
        try (NDManager scratch = manager.newSubManager()) {
            for (int i = 0; i < aligned.size(); i++) {
                KvBlock b = aligned.get(i);
                copyBetween(oldKeys, oldValues, b.start, at, b.length, scratch);
                b.start = at;
                if (i == aligned.size() - 1 && !floating.isEmpty()) {
                    b.capacity = b.length; // it grows by moving the floating blocks along
                }
                at += b.capacity;
            }
            floatingStart = at;
            for (KvBlock b : floating) {
                copyBetween(oldKeys, oldValues, b.start, at, b.length, scratch);
                b.start = at;
                at += b.capacity;
            }
        }
        oldKeys.close();
        oldValues.close();
    }

    /** Makes the tensors at least {@code columns} wide (by 1.5x at a time). */
    void ensureCapacity(int columns) {
        if (columns <= capacity) {
            return;
        }
        NDArray oldKeys = keys;
        NDArray oldValues = values;
        int oldCapacity = capacity;
        allocate(Math.max(columns, Math.max(MIN_CAPACITY, (int) Math.ceil(capacity * GROWTH))));
        if (oldKeys != null) {
            try (NDManager scratch = manager.newSubManager()) {
                copyBetween(oldKeys, oldValues, 0, 0, oldCapacity, scratch);
            }
            oldKeys.close();
            oldValues.close();
        }
    }

    /** New zeroed tensors of {@code columns} columns and their per-layer views. */
    private void allocate(int columns) {
        views.forEach(NDArray::close);
        views.clear();
        keys = manager.zeros(new Shape(layers, kvHeads, headDim, columns), dtype);
        values = manager.zeros(new Shape(layers, kvHeads, columns, headDim), dtype);
        capacity = columns;
        layerKeys = new NDArray[layers];
        layerKeysByColumn = new NDArray[layers];
        layerValues = new NDArray[layers];
        layerValuesByColumn = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            layerKeys[l] = view(keys.get(l));
            layerKeysByColumn[l] = view(layerKeys[l].transpose(0, 2, 1));
            layerValues[l] = view(values.get(l));
            layerValuesByColumn[l] = view(view(layerValues[l].transpose(1, 0, 2))
                    .reshape(columns, kvHeads, 1, 1, headDim / 2, 2));
        }
    }

    private NDArray view(NDArray v) {
        views.add(v);
        return v;
    }

    private void copy(int from, int to, int n, NDManager scratch) {
        copyBetween(keys, values, from, to, n, scratch);
    }

    /** Copies columns {@code from..from+n-1} of the given tensors to columns {@code to..} of the current ones. */
    private void copyBetween(NDArray srcKeys, NDArray srcValues, int from, int to, int n, NDManager scratch) {
        if (n == 0) {
            return;
        }
        // Cloned first: source and destination may overlap when segments shift.
        keys.set(columns(3, to, n), srcKeys.get(scratch, columns(3, from, n)).duplicate());
        values.set(columns(2, to, n), srcValues.get(scratch, columns(2, from, n)).duplicate());
    }

    /** Index of columns {@code start..start+n-1} on {@code axis} (built directly: no index string to parse). */
    private static NDIndex columns(int axis, long start, long n) {
        return new NDIndex().addAllDim(axis).addSliceDim(start, start + n);
    }

    private List<KvBlock> bin(KvBlock.Bin bin) {
        return bin == KvBlock.Bin.ALIGNED ? aligned : floating;
    }

    private static int usedEnd(List<KvBlock> list, int empty) {
        if (list.isEmpty()) {
            return empty;
        }
        KvBlock last = list.get(list.size() - 1);
        return last.start + last.length;
    }

    private static int endOf(List<KvBlock> list, int empty) {
        if (list.isEmpty()) {
            return empty;
        }
        KvBlock last = list.get(list.size() - 1);
        return last.start + last.capacity;
    }

    private static int grow(int capacity, int needed) {
        return Math.max(needed, Math.max(MIN_CAPACITY, (int) Math.ceil(capacity * GROWTH)));
    }

    /** Forgets a block's tokens; its segment stays for the next ones. */
    void clear(KvBlock b) {
        b.length = 0;
    }

    @Override
    public void close() {
        views.forEach(NDArray::close);
        views.clear();
        if (keys != null) {
            keys.close();
            values.close();
            keys = null;
            values = null;
        }
    }
}
