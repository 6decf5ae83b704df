package io.hogwild.engine.cache;

/**
 * One named block of the shared cache: a segment of columns of its session's {@link KvArena} holding, for every
 * layer, the keys and values of its tokens in order.
 *
 * <p>A key at local index {@code j} is stored rotated to position {@code base + j}. The semantics only ever need the
 * key rotated to its local index {@code j}; the base is a storage choice, kept equal to the block's offset in every
 * view while all views agree on that offset (so that all such blocks score like one ordinary sequence), and
 * accounted for wherever keys are read.
 */
public final class KvBlock {

    /** Which part of the arena a block's segment lies in. */
    enum Bin {
        /** Blocks at the same offset in every view that has them, stored with base = that offset. */
        ALIGNED,
        /** Blocks that views see at different offsets: each needs its own query rotation. */
        FLOATING
    }

    private final String name;
    int length;
    /** First arena column of the segment; -1 while the block has none. */
    int start = -1;
    /** Columns the segment has room for. */
    int capacity;
    int base;
    Bin bin;

    KvBlock(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public int length() {
        return length;
    }

    /** Tokens the block's segment has room for before it must move. */
    public int capacity() {
        return capacity;
    }

    /** The arena column of local index 0. */
    public int start() {
        return start;
    }

    /** The position local index 0's key is stored rotated to. */
    public int base() {
        return base;
    }

    /** Whether the block lies among the floating segments (views disagree on its offset). */
    public boolean isFloating() {
        return bin == Bin.FLOATING;
    }

    boolean placed() {
        return start >= 0;
    }

    /** The arena column of local index {@code j}. */
    int column(int j) {
        return start + j;
    }

    @Override
    public String toString() {
        return "KvBlock[" + name + ", length " + length + ", columns " + start + "+" + capacity + ", base " + base
                + ", " + bin + "]";
    }
}
