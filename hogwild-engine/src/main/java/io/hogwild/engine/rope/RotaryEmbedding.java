package io.hogwild.engine.rope;

/**
 * Rotary position embedding (RoPE), computed on the host as cos/sin rows.
 *
 * <p>A vector at position p is rotated, in each frequency pair (i, i + d/2), by the angle {@code p * invFreq[i]}:
 * {@code rot(x) = x * cos + rotateHalf(x) * sin} with {@code rotateHalf(x) = [-x2, x1]}. The engine writes that as
 * {@code x * cos + swapHalves(x) * signedSin} where {@code swapHalves(x) = [x2, x1]} and
 * {@code signedSin = [-sin, sin]}, so the device needs no negation.
 *
 * <p>Because rotations compose ({@code rot(a) then rot(b) = rot(a + b)}), a query at position p scored against a
 * key stored at local position j of a block at offset o equals the query rotated to {@code p - o} against the
 * stored key: the shared cache rotates queries, never stored keys.
 */
public final class RotaryEmbedding {

    private final int headDim;
    private final float[] invFreq;

    public RotaryEmbedding(int headDim, RopeScaling rope) {
        this.headDim = headDim;
        this.invFreq = inverseFrequencies(headDim, rope);
    }

    public int headDim() {
        return headDim;
    }

    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    /**
     * The per-pair inverse frequencies {@code 1 / theta^(2i/d)}, in float32 as transformers computes them, with
     * Llama 3 scaling: long wavelengths divided by {@code factor}, short ones kept, a smooth blend in between.
     */
    static float[] inverseFrequencies(int headDim, RopeScaling rope) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            inv[i] = (float) (1.0 / (float) Math.pow(rope.theta(), exponent));
        }
        if (rope.isLlama3()) {
            double old = rope.originalMaxPositions();
            double lowWavelen = old / rope.lowFreqFactor();
            double highWavelen = old / rope.highFreqFactor();
            for (int i = 0; i < half; i++) {
                float f = inv[i];
                double wavelen = 2 * Math.PI / f;
                if (wavelen > lowWavelen) {
                    inv[i] = (float) (f / rope.factor());
                } else if (wavelen >= highWavelen) {
                    double smooth = (old / wavelen - rope.lowFreqFactor()) / (rope.highFreqFactor() - rope.lowFreqFactor());
                    inv[i] = (float) ((1 - smooth) * f / rope.factor() + smooth * f);
                }
            }
        }
        return inv;
    }

    /**
     * Writes the cos and signed-sin values of {@code position} for every rotary pair into {@code cos} /
     * {@code signedSin}: pair {@code i}'s first half at {@code offset + i * pairStride}, its second half
     * {@code halfStride} further. The first half gets {@code -sin}, the second {@code +sin}, so that
     * {@code x * cos + swapHalves(x) * signedSin} rotates {@code x}.
     */
    public void fill(long position, float[] cos, float[] signedSin, int offset, int pairStride, int halfStride) {
        float p = (float) position;
        for (int i = 0; i < headDim / 2; i++) {
            float angle = p * invFreq[i];
            float c = (float) Math.cos(angle);
            float s = (float) Math.sin(angle);
            int at = offset + i * pairStride;
            cos[at] = c;
            cos[at + halfStride] = c;
            signedSin[at] = -s;
            signedSin[at + halfStride] = s;
        }
    }
}
