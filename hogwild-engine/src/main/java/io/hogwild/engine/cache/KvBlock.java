package io.hogwild.engine.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One named block of the shared cache: for every layer, the keys (rotated to the block's local positions
 * 0..length-1) and the values of its tokens.
 *
 * <p>Storage is {@code [layers, kvHeads, capacity, headDim]} for keys and for values, preallocated with headroom.
 * When a write would overflow it, the block grows geometrically (by {@link #GROWTH}), so appending n tokens
 * one by one copies O(n) bytes in total, and no pass ever copies the cache as a whole.
 */
public final class KvBlock {

    /** Capacity multiplier on growth: bounds allocated bytes to 1.5x the bytes in use after any growth. */
    static final double GROWTH = 1.5;
    /** Smallest capacity, so one-token passes do not regrow a fresh block every pass. */
    static final int MIN_CAPACITY = 16;

    private final String name;
    private final NDManager manager;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final DataType dtype;
    private NDArray keys;
    private NDArray values;
    private int capacity;
    private int length;

    KvBlock(String name, NDManager manager, int layers, int kvHeads, int headDim, DataType dtype) {
        this.name = name;
        this.manager = manager;
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.dtype = dtype;
    }

    public String name() {
        return name;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes of keys and values one token occupies, over all layers. */
    public long bytesPerToken() {
        return 2L * layers * kvHeads * headDim * dtype.getNumOfBytes();
    }

    public long allocatedBytes() {
        return capacity * bytesPerToken();
    }

    public long usedBytes() {
        return length * bytesPerToken();
    }

    /** Makes room for {@code extra} more tokens, growing geometrically when needed. */
    void reserve(int extra) {
        int needed = length + extra;
        if (needed <= capacity) {
            return;
        }
        int newCapacity = Math.max(needed, Math.max(MIN_CAPACITY, (int) Math.ceil(capacity * GROWTH)));
        resize(newCapacity);
    }

    /** Sets the capacity to exactly {@code tokens} (at least the current length): for blocks filled in one go. */
    void reserveExactly(int tokens) {
        if (tokens > capacity) {
            resize(tokens);
        }
    }

    private void resize(int newCapacity) {
        Shape shape = new Shape(layers, kvHeads, newCapacity, headDim);
        NDArray newKeys = manager.zeros(shape, dtype);
        NDArray newValues = manager.zeros(shape, dtype);
        if (length > 0) {
            try (NDManager scratch = manager.newSubManager()) {
                NDIndex used = slots(0, length);
                newKeys.set(used, keys.get(scratch, used));
                newValues.set(used, values.get(scratch, used));
            }
        }
        if (keys != null) {
            keys.close();
            values.close();
        }
        keys = newKeys;
        values = newValues;
        capacity = newCapacity;
    }

    /** Claims {@code n} slots at the end; returns the local index of the first. Call {@link #reserve} first. */
    int append(int n) {
        if (length + n > capacity) {
            throw new IllegalStateException("block '" + name + "' has no room for " + n + " tokens");
        }
        int start = length;
        length += n;
        return start;
    }

    /** Keeps the first {@code newLength} slots (storage and capacity unchanged). */
    void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("block '" + name + "' cannot shrink from " + length + " to "
                    + newLength);
        }
        length = newLength;
    }

    /** A view of the keys of one layer, {@code [kvHeads, length, headDim]}, owned by {@code pass}. */
    public NDArray keys(NDManager pass, int layer) {
        return keys.get(pass, layerSlots(layer, 0, length));
    }

    /** A view of the values of one layer, {@code [kvHeads, length, headDim]}, owned by {@code pass}. */
    public NDArray values(NDManager pass, int layer) {
        return values.get(pass, layerSlots(layer, 0, length));
    }

    /** Stores {@code k}, {@code v} ({@code [kvHeads, n, headDim]}) of one layer at local slots start..start+n-1. */
    public void write(int layer, int start, NDArray k, NDArray v) {
        NDIndex slots = layerSlots(layer, start, start + k.getShape().get(1));
        keys.set(slots, k);
        values.set(slots, v);
    }

    /** Every layer's keys of slots from..to-1, {@code [layers, kvHeads, n, headDim]}, owned by {@code pass}. */
    NDArray allKeys(NDManager pass, int from, int to) {
        return keys.get(pass, slots(from, to));
    }

    NDArray allValues(NDManager pass, int from, int to) {
        return values.get(pass, slots(from, to));
    }

    /** Stores every layer's keys and values at slots start.. (used by promotion). */
    void writeAll(int start, NDArray k, NDArray v) {
        NDIndex slots = slots(start, start + k.getShape().get(2));
        keys.set(slots, k);
        values.set(slots, v);
    }

    /** Fills slots 0..n-1 with the given keys and values, for benchmarks that skip prefill. */
    void fill(int n, NDArray k, NDArray v) {
        reserveExactly(n);
        length = 0;
        append(n);
        writeAll(0, k, v);
    }

    /** Index of slots from..to-1 of every layer (built directly: parsing index strings costs time per op). */
    private static NDIndex slots(long from, long to) {
        return new NDIndex().addAllDim().addAllDim().addSliceDim(from, to).addAllDim();
    }

    private static NDIndex layerSlots(int layer, long from, long to) {
        return new NDIndex().addIndices(layer).addAllDim().addSliceDim(from, to).addAllDim();
    }

    void close() {
        if (keys != null) {
            keys.close();
            values.close();
            keys = null;
            values = null;
        }
    }
}
