package io.hogwild.engine.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RotaryEmbedding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The KV cache of one Hogwild! session: named {@link KvBlock}s, written once each, and every worker's view, an
 * ordered list of blocks. See {@code hogwild-semantics.md} in the golden fixtures for the exact rules.
 *
 * <p>All blocks are segments of one {@link KvArena}, which lives in this cache's own {@link NDManager}; nothing a
 * pass computes is attached to it. Before each pass the cache sorts blocks into aligned ones (every view that has
 * them puts them at the same offset; their keys are kept rotated by that offset, so a pass scores them like one
 * ordinary sequence) and floating ones (views disagree; a pass rotates queries once per such block).
 */
public final class SharedCache implements AutoCloseable {

    /**
     * Bytes a session's storage may allocate per byte of tokens it holds, at worst: growing blocks keep 1.5x
     * headroom, holes and headroom among the aligned blocks reach a quarter of the tokens before they are packed,
     * and the storage itself grows by 1.5x (admission control reserves this much).
     */
    public static final double ALLOCATION_HEADROOM = KvArena.GROWTH * (KvArena.GROWTH + 0.25);

    private final NDManager manager;
    private final ModelConfig config;
    private final DataType dtype;
    private final KvArena arena;
    private final Map<String, KvBlock> blocks = new LinkedHashMap<>();
    private final Map<String, List<KvBlock>> views = new LinkedHashMap<>();

    public SharedCache(NDManager parent, ModelConfig config, DataType dtype) {
        this.manager = parent.newSubManager();
        this.config = config;
        this.dtype = dtype;
        this.arena = new KvArena(manager, config.numLayers(), config.numKvHeads(), config.headDim(), dtype);
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    /** Creates an empty block; names are unique within a session. */
    public KvBlock createBlock(String name) {
        if (blocks.containsKey(name)) {
            throw new IllegalArgumentException("block '" + name + "' already exists");
        }
        KvBlock block = new KvBlock(name);
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
     * sharing a target take consecutive slots in the order given), brings the storage into shape for the pass and
     * returns the pass's layout.
     */
    public PassPlan plan(List<Write> writes, RotaryEmbedding rope, NDManager pass) {
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("a forward pass needs at least one write");
        }
        Map<KvBlock, Integer> incoming = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Write w : writes) {
            if (!seen.add(w.worker())) {
                throw new IllegalArgumentException("worker '" + w.worker() + "' writes twice in one pass");
            }
            List<KvBlock> view = view(w.worker());
            incoming.merge(view.get(view.size() - 1), w.length(), Integer::sum);
        }
        // Classes as they will be once this pass's tokens are in: offsets count them.
        Map<KvBlock, Integer> common = commonOffsets(incoming);
        for (KvBlock b : blocks.values()) {
            arena.move(b, common.containsKey(b) ? KvBlock.Bin.ALIGNED : KvBlock.Bin.FLOATING);
        }
        arena.growing(incoming.keySet());
        incoming.forEach((b, n) -> arena.reserve(b, n, b.bin));
        arena.settle();
        List<Slot> slots = new ArrayList<>();
        int total = writes.stream().mapToInt(Write::length).sum();
        long[] ids = new long[total];
        long[] columns = new long[total];
        int row = 0;
        for (Write w : writes) {
            List<KvBlock> view = view(w.worker());
            KvBlock target = view.get(view.size() - 1);
            int start = target.length;
            target.length += w.length();
            slots.add(new Slot(w.worker(), view, target, start, w.length(), row));
            for (int i = 0; i < w.length(); i++) {
                ids[row + i] = w.token(i);
            }
            row += w.length();
        }
        // Aligned blocks keep their keys rotated by their offset: re-rotate those whose offset moved.
        common.forEach((b, offset) -> {
            arena.rotateKeys(b.start, b.length - incoming.getOrDefault(b, 0), offset - b.base, rope);
            b.base = offset;
        });
        arena.tidy();
        // One scratch column after everything a pass reads (see PassPlan.keyStore).
        arena.ensureCapacity((arena.hasFloating() ? arena.floatingEnd() : arena.alignedEnd()) + 1);
        row = 0;
        for (Slot s : slots) {
            for (int i = 0; i < s.count(); i++) {
                columns[row++] = s.target().column(s.start() + i);
            }
        }
        return PassPlan.of(ids, List.copyOf(slots), pass, dtype, arena, columns);
    }

    /**
     * The blocks every view that has them puts at one and the same offset, with that offset, counting
     * {@code incoming} tokens; blocks no view has count as aligned at their current base.
     */
    private Map<KvBlock, Integer> commonOffsets(Map<KvBlock, Integer> incoming) {
        Map<KvBlock, Integer> offsets = new HashMap<>();
        Set<KvBlock> disagreed = new HashSet<>();
        for (List<KvBlock> view : views.values()) {
            int offset = 0;
            for (KvBlock b : view) {
                Integer seen = offsets.putIfAbsent(b, offset);
                if (seen != null && seen != offset) {
                    disagreed.add(b);
                }
                offset += b.length + incoming.getOrDefault(b, 0);
            }
        }
        Map<KvBlock, Integer> common = new LinkedHashMap<>();
        for (KvBlock b : blocks.values()) {
            if (!disagreed.contains(b)) {
                common.put(b, offsets.getOrDefault(b, b.base));
            }
        }
        return common;
    }

    /**
     * Appends every entry of {@code source} to the end of {@code target} and empties {@code source}: keys are
     * re-rotated once to their new local positions (by the target's length, plus the difference of the blocks'
     * storage bases); values move unchanged.
     */
    public void promote(String sourceName, String targetName, RotaryEmbedding rope) {
        promote(sourceName, targetName, block(sourceName).length, rope);
    }

    /**
     * Appends the first {@code count} entries of {@code source} to the end of {@code target} and moves the rest of
     * {@code source} to its start (keys re-rotated by {@code -count}: rotations compose, so a negative shift is exact
     * up to rounding). This is how a finished step leaves a worker's step block while the next step's prefix, written
     * in the same pass, stays behind.
     */
    public void promote(String sourceName, String targetName, int count, RotaryEmbedding rope) {
        KvBlock source = block(sourceName);
        KvBlock target = block(targetName);
        if (source == target) {
            throw new IllegalArgumentException("cannot promote block '" + sourceName + "' into itself");
        }
        int n = source.length;
        if (count < 0 || count > n) {
            throw new IllegalArgumentException("cannot promote " + count + " entries of block '" + sourceName
                    + "', which holds " + n);
        }
        if (count == 0) {
            return;
        }
        arena.growing(Set.of(target));
        arena.reserve(target, count, target.placed() ? target.bin : KvBlock.Bin.ALIGNED);
        arena.settle();
        arena.append(source, count, target, target.base + target.length - source.base, rope);
        target.length += count;
        arena.dropFirst(source, count, rope);
        source.length = n - count;
    }

    /**
     * Fills an empty block with {@code tokens} random keys and values, as if prefilled, for benchmarks of long
     * contexts that would take too long to prefill for real.
     */
    public void fillRandom(String blockName, int tokens) {
        KvBlock b = block(blockName);
        if (b.length != 0) {
            throw new IllegalStateException("block '" + blockName + "' is not empty");
        }
        Integer offset = commonOffsets(Map.of()).get(b);
        arena.growing(Set.of());
        arena.reserveExactly(b, tokens, offset != null ? KvBlock.Bin.ALIGNED : KvBlock.Bin.FLOATING);
        arena.fillRandom(b, tokens);
        // Random keys are as good rotated one way as another: take them as already rotated by the offset.
        b.base = offset != null ? offset : 0;
        b.length = tokens;
    }

    /**
     * A copy of the first {@code n} keys and values of a block (all layers), in {@code into}: what
     * {@link #copyIn} puts into another session's block. The keys stay rotated as stored (to the block's base).
     */
    public KvSegment copyOut(String blockName, int n, NDManager into) {
        KvBlock b = block(blockName);
        if (n < 1 || n > b.length) {
            throw new IllegalArgumentException("cannot copy " + n + " entries of block '" + blockName + "', which holds "
                    + b.length);
        }
        NDArray[] kv = arena.copyOut(b, n, into);
        return new KvSegment(kv[0], kv[1], b.base, n, (long) n * bytesPerToken());
    }

    /**
     * Fills an empty block with the first {@code n} entries of a segment another session of the same model computed
     * ({@link #copyOut}), as if those tokens had been prefilled here: the block must be aligned at the segment's base
     * (its offset in every view that has it), so that the copied keys need no rotation.
     */
    public void copyIn(String blockName, KvSegment segment, int n) {
        KvBlock b = block(blockName);
        if (b.length != 0) {
            throw new IllegalStateException("block '" + blockName + "' is not empty");
        }
        if (n < 1 || n > segment.length()) {
            throw new IllegalArgumentException("cannot copy " + n + " entries of a segment of " + segment.length());
        }
        Integer offset = commonOffsets(Map.of()).get(b);
        if (offset == null || offset != segment.base()) {
            throw new IllegalStateException("block '" + blockName + "' is not aligned at the segment's base "
                    + segment.base());
        }
        arena.growing(Set.of(b));
        arena.reserve(b, n, KvBlock.Bin.ALIGNED);
        arena.settle();
        arena.copyIn(b, segment.keys(), segment.values(), n);
        b.base = offset;
        b.length = n;
    }

    /** Columns of the storage a pass reads per layer: the stored tokens plus whatever holes and headroom lie between. */
    public int readColumns() {
        return arena.hasFloating() ? arena.floatingEnd() : arena.alignedEnd();
    }

    /** Bytes of storage allocated (the arena's capacity). */
    public long allocatedBytes() {
        return arena.capacity() * bytesPerToken();
    }

    /** Bytes of the tokens the blocks hold (length). */
    public long usedBytes() {
        return blocks.values().stream().mapToLong(KvBlock::length).sum() * bytesPerToken();
    }

    /** Bytes one cached token takes, over all layers. */
    public long bytesPerToken() {
        return 2L * config.numLayers() * config.numKvHeads() * config.headDim() * dtype.getNumOfBytes();
    }

    /** Arrays owned by the cache (storage only): a test hook proving that passes leave nothing behind. */
    public int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    /** Arrays the storage itself consists of: the key and value tensors and their per-layer views. */
    public int storageArrayCount() {
        return arena.arrayCount();
    }

    @Override
    public void close() {
        arena.close();
        blocks.clear();
        manager.close();
    }
}
