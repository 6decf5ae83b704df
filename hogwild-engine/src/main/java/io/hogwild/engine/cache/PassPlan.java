package io.hogwild.engine.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.rope.RotaryEmbedding;
import java.util.List;

/**
 * The layout of one lockstep pass, fixed before the forward pass: which rows of the token batch belong to which
 * writer and where they land, and the RoPE rows that rotate the new keys to their local positions.
 *
 * <p>Block lengths already include this pass's tokens: every key of the pass is stored (layer by layer) before
 * any query of that layer attends, so offsets are those of the blocks after the write.
 *
 * @param tokenIds the pass's tokens, writers in the order given, each writer's tokens contiguous
 * @param slots one per writer
 * @param keyCos cos rows for the new keys' local positions {@code [tokens, 1, headDim]}
 * @param keySin signed sin rows, same shape
 * @param pass the pass's manager: everything computed for the pass belongs to it
 * @param dtype the dtype of activations and cache (float32 on CPU)
 */
public record PassPlan(long[] tokenIds, List<Slot> slots, NDArray keyCos, NDArray keySin, NDManager pass,
                       DataType dtype) {

    public int tokens() {
        return tokenIds.length;
    }

    /** Copies host-side pass data (RoPE rows, masks) to the device, in the activations' dtype. */
    public NDArray upload(float[] values, Shape shape) {
        return upload(pass, dtype, values, shape);
    }

    static NDArray upload(NDManager manager, DataType dtype, float[] values, Shape shape) {
        return manager.create(values, shape).toType(dtype, false);
    }

    static PassPlan build(List<Slot> slots, long[] tokenIds, RotaryEmbedding rope, NDManager pass, DataType dtype) {
        int n = tokenIds.length;
        int d = rope.headDim();
        float[] cos = new float[n * d];
        float[] sin = new float[n * d];
        for (Slot s : slots) {
            for (int i = 0; i < s.count(); i++) {
                rope.fill(s.start() + i, 1f, cos, sin, (s.row() + i) * d);
            }
        }
        Shape shape = new Shape(n, 1, d);
        return new PassPlan(tokenIds, List.copyOf(slots), upload(pass, dtype, cos, shape), upload(pass, dtype, sin, shape),
                pass, dtype);
    }
}
