package io.hogwild.engine.cache;

import io.hogwild.engine.rope.Rope;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RotaryEmbedding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV cache of one Hogwild! session: named {@link KvBlock}s, written once each, and every worker's view, an
 * ordered list of blocks. See {@code hogwild-semantics.md} in the golden fixtures for the exact rules.
 *
 * <p>All block storage lives in this cache's own {@link NDManager}; nothing a pass computes is attached to it.
 */
public final class SharedCache implements AutoCloseable {

    private final NDManager manager;
    private final ModelConfig config;
    private final DataType dtype;
    private final Map<String, KvBlock> blocks = new LinkedHashMap<>();
    private final Map<String, List<KvBlock>> views = new HashMap<>();

    public SharedCache(NDManager parent, ModelConfig config, DataType dtype) {
        this.manager = parent.newSubManager();
        this.config = config;
        this.dtype = dtype;
    }

    public ModelConfig config() {
        return config;
    }

    /** Creates an empty block; names are unique within a session. */
    public KvBlock createBlock(String name) {
        if (blocks.containsKey(name)) {
            throw new IllegalArgumentException("block '" + name + "' already exists");
        }
        KvBlock block = new KvBlock(name, manager, config.numLayers(), config.numKvHeads(), config.headDim(), dtype);
        blocks.put(name, block);
        return block;
    }

    public KvBlock block(String name) {
        KvBlock b = blocks.get(name);
        if (b == null) {
            throw new IllegalArgumentException("unknown block '" + name + "'");
        }
        return b;
    }

    public Map<String, KvBlock> blocks() {
        return Collections.unmodifiableMap(blocks);
    }

    /** Sets what {@code worker} reads, in order; it writes to the last block. Blocks may repeat only once. */
    public void setView(String worker, List<String> blockNames) {
        if (blockNames.isEmpty()) {
            throw new IllegalArgumentException("view of '" + worker + "' is empty");
        }
        List<KvBlock> view = new ArrayList<>();
        for (String name : blockNames) {
            KvBlock b = block(name);
            if (view.contains(b)) {
                throw new IllegalArgumentException("view of '" + worker + "' lists block '" + name + "' twice");
            }
            view.add(b);
        }
        views.put(worker, List.copyOf(view));
    }

    public List<KvBlock> view(String worker) {
        List<KvBlock> v = views.get(worker);
        if (v == null) {
            throw new IllegalArgumentException("worker '" + worker + "' has no view");
        }
        return v;
    }

    /**
     * Claims the slots of one lockstep pass: grows target blocks as needed, appends every writer's tokens (writers
     * sharing a target take consecutive slots in the order given) and returns the pass's layout.
     */
    public PassPlan plan(List<Write> writes, RotaryEmbedding rope, NDManager pass) {
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("a forward pass needs at least one write");
        }
        Map<KvBlock, Integer> incoming = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Write w : writes) {
            if (!seen.add(w.worker())) {
                throw new IllegalArgumentException("worker '" + w.worker() + "' writes twice in one pass");
            }
            List<KvBlock> view = view(w.worker());
            incoming.merge(view.get(view.size() - 1), w.length(), Integer::sum);
        }
        incoming.forEach(KvBlock::reserve);
        List<Slot> slots = new ArrayList<>();
        int total = writes.stream().mapToInt(Write::length).sum();
        long[] ids = new long[total];
        int row = 0;
        for (Write w : writes) {
            List<KvBlock> view = view(w.worker());
            KvBlock target = view.get(view.size() - 1);
            int start = target.append(w.length());
            slots.add(new Slot(w.worker(), view, target, start, w.length(), row));
            for (int i = 0; i < w.length(); i++) {
                ids[row + i] = w.token(i);
            }
            row += w.length();
        }
        return PassPlan.build(slots, ids, rope, pass, dtype);
    }

    /**
     * Appends every entry of {@code source} to the end of {@code target} and empties {@code source}: keys are
     * re-rotated once, by the target's length, to their new local positions; values move unchanged.
     */
    public void promote(String sourceName, String targetName, RotaryEmbedding rope) {
        promote(sourceName, targetName, block(sourceName).length(), rope);
    }

    /**
     * Appends the first {@code count} entries of {@code source} to the end of {@code target} (keys re-rotated once, by
     * the target's length) and moves the rest of {@code source} to its start (keys re-rotated by {@code -count}:
     * rotations compose, so a negative shift is exact up to rounding). This is how a finished step leaves a worker's
     * step block while the next step's prefix, written in the same pass, stays behind.
     */
    public void promote(String sourceName, String targetName, int count, RotaryEmbedding rope) {
        KvBlock source = block(sourceName);
        KvBlock target = block(targetName);
        if (source == target) {
            throw new IllegalArgumentException("cannot promote block '" + sourceName + "' into itself");
        }
        int n = source.length();
        if (count < 0 || count > n) {
            throw new IllegalArgumentException("cannot promote " + count + " entries of block '" + sourceName
                    + "', which holds " + n);
        }
        if (count == 0) {
            return;
        }
        target.reserve(count);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray k = source.allKeys(scratch, 0, count);
            NDArray v = source.allValues(scratch, 0, count);
            int start = target.append(count);
            target.writeAll(start, rotate(k, target.length() - count, rope, scratch), v);
            if (count < n) {
                // Copies, not views: the rest is written back over the same storage it is read from.
                NDArray restK = rotate(source.allKeys(scratch, count, n), -count, rope, scratch);
                NDArray restV = source.allValues(scratch, count, n).duplicate();
                source.writeAll(0, restK, restV);
            }
        }
        source.truncate(n - count);
    }

    /** Keys {@code [layers, kvHeads, n, headDim]} rotated by {@code shift} positions (a new array). */
    private NDArray rotate(NDArray keys, int shift, RotaryEmbedding rope, NDManager scratch) {
        int d = config.headDim();
        float[] cos = new float[d];
        float[] sin = new float[d];
        rope.fill(shift, 1f, cos, sin, 0);
        Shape row = new Shape(1, 1, 1, d);
        return Rope.apply(keys, PassPlan.upload(scratch, dtype, cos, row), PassPlan.upload(scratch, dtype, sin, row));
    }

    /**
     * Fills a block with {@code tokens} random keys and values, as if prefilled, for benchmarks of long contexts
     * that would take too long to prefill for real.
     */
    public void fillRandom(String blockName, int tokens) {
        KvBlock b = block(blockName);
        try (NDManager scratch = manager.newSubManager()) {
            Shape shape = new Shape(config.numLayers(), config.numKvHeads(), tokens, config.headDim());
            NDArray k = scratch.randomNormal(0f, 1f, shape, DataType.FLOAT32).toType(dtype, false);
            NDArray v = scratch.randomNormal(0f, 1f, shape, DataType.FLOAT32).toType(dtype, false);
            b.fill(tokens, k, v);
        }
    }

    /** Bytes of block storage allocated (capacity). */
    public long allocatedBytes() {
        return blocks.values().stream().mapToLong(KvBlock::allocatedBytes).sum();
    }

    /** Bytes of the tokens the blocks hold (length). */
    public long usedBytes() {
        return blocks.values().stream().mapToLong(KvBlock::usedBytes).sum();
    }

    /** Bytes one cached token takes, over all layers. */
    public long bytesPerToken() {
        return 2L * config.numLayers() * config.numKvHeads() * config.headDim() * dtype.getNumOfBytes();
    }

    /** Arrays owned by the cache (storage only): a test hook proving that passes leave nothing behind. */
    public int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        blocks.values().forEach(KvBlock::close);
        blocks.clear();
        manager.close();
    }
}
