package io.hogwild.engine.rope;

import ai.djl.ndarray.NDArray;

/** Applies precomputed RoPE tables on the device (see {@link RotaryEmbedding}). */
public final class Rope {

    private Rope() {}

    /**
     * Rotates {@code x}, whose head dimension is split into {@code [d/2, 2]} (each rotary pair's two halves along
     * {@code pairAxis}), with cos / signed-sin tables that broadcast against it:
     * {@code x * cos + swapHalves(x) * signedSin}, where swapping the halves is a flip of {@code pairAxis}. Four
     * operators; the result belongs to {@code x}'s manager and has the broadcast shape.
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray signedSin, int pairAxis) {
        return x.mul(cos).add(x.flip(pairAxis).mul(signedSin));
    }
}
