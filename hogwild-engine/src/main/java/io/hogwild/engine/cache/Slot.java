package io.hogwild.engine.cache;

import java.util.List;

/**
 * Where one write of a pass lands and what its writer sees.
 *
 * @param worker the writer
 * @param view the blocks the writer reads, in order; the last one is {@code target}
 * @param target the block the tokens are appended to
 * @param start local index of the first new token in {@code target}
 * @param count number of new tokens
 * @param row index of the first of these tokens in the pass's token batch
 */
public record Slot(String worker, List<KvBlock> view, KvBlock target, int start, int count, int row) {

    /** The offset of {@code block} in this writer's view: the summed current lengths of the blocks before it. */
    public int offsetOf(KvBlock block) {
        int offset = 0;
        for (KvBlock b : view) {
            if (b == block) {
                return offset;
            }
            offset += b.length();
        }
        throw new IllegalArgumentException("block '" + block.name() + "' is not in the view of " + worker);
    }

    /** Position, in the writer's view, of its i-th new token. */
    public int queryPosition(int i) {
        return offsetOf(target) + start + i;
    }
}
