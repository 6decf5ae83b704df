package io.hogwild.engine.cache;

import ai.djl.ndarray.NDArray;

/**
 * The keys and values of a block's first tokens over all layers, copied out of a session's cache
 * ({@link SharedCache#copyOut}), to be copied into another session's block ({@link SharedCache#copyIn}).
 *
 * @param keys {@code [layers, kvHeads, headDim, length]}, rotated to {@code base + j}
 * @param values {@code [layers, kvHeads, length, headDim]}
 * @param base the position the first key is rotated to
 * @param bytes what the two arrays take
 */
public record KvSegment(NDArray keys, NDArray values, int base, int length, long bytes) implements AutoCloseable {

    @Override
    public void close() {
        keys.close();
        values.close();
    }
}
