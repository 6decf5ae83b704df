package io.hogwild.engine.rope;

import ai.djl.ndarray.NDArray;

/** Applies precomputed RoPE rows on the device (see {@link io.hogwild.engine.rope.RotaryEmbedding}). */
public final class Rope {

    private Rope() {}

    /**
     * Rotates {@code x} (last axis = head dim) with cos / signed-sin rows that broadcast against it:
     * {@code x * cos + swapHalves(x) * signedSin}. Results belong to {@code x}'s manager.
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray signedSin) {
        return x.mul(cos).add(swapHalves(x).mul(signedSin));
    }

    /** {@code [x1, x2] -> [x2, x1]} along the last axis. */
    public static NDArray swapHalves(NDArray x) {
        ai.djl.ndarray.types.Shape s = x.getShape();
        int rank = s.dimension();
        long d = s.get(rank - 1);
        long[] split = new long[rank + 1];
        for (int i = 0; i < rank - 1; i++) {
            split[i] = s.get(i);
        }
        split[rank - 1] = 2;
        split[rank] = d / 2;
        return x.reshape(new ai.djl.ndarray.types.Shape(split)).flip(rank - 1).reshape(s);
    }
}
