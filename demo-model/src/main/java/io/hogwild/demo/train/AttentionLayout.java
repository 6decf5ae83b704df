package io.hogwild.demo.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hogwild.demo.traces.CacheTrace;
import java.util.List;

/**
 * For one batch, which keys each query sees and at what distance, as the arrays the training attention uses. Keys
 * come in chunks of {@code chunk} consecutive tokens; a key is rotated by its index in its chunk, and a query once
 * per chunk, by its distance from the chunk's first key (see {@link CacheTrace}).
 *
 * @param queryCos {@code [batch, 1, chunks, length, headDim]}
 * @param querySin same shape
 * @param keyCos {@code [chunk, headDim]}
 * @param keySin same shape
 * @param mask {@code [batch, 1, length, length]}: 0 where a query sees a key, a large negative number where not
 *     (finite, so no softmax row is ever NaN)
 */
public record AttentionLayout(int chunk, NDArray queryCos, NDArray querySin, NDArray keyCos, NDArray keySin,
                              NDArray mask) {

    private static final float HIDDEN = -1e9f;

    /** A plain causal pass: one chunk spanning the sequence, each query at its own index. */
    public static AttentionLayout causal(DemoModelShape shape, int batch, int length, NDManager manager) {
        RopeAngles angles = new RopeAngles(shape, length);
        int d = shape.headDim();
        float[] cos = new float[length * d];
        float[] sin = new float[length * d];
        float[] mask = new float[length * length];
        for (int q = 0; q < length; q++) {
            angles.fill(q, cos, sin, q * d);
            for (int k = q + 1; k < length; k++) {
                mask[q * length + k] = HIDDEN;
            }
        }
        NDArray keyCos = manager.create(cos, new Shape(length, d));
        NDArray keySin = manager.create(sin, new Shape(length, d));
        return new AttentionLayout(length, keyCos.reshape(1, 1, 1, length, d), keySin.reshape(1, 1, 1, length, d),
                keyCos, keySin, manager.create(mask, new Shape(1, 1, length, length)));
    }

    /** The traces of a batch, right-padded to the longest with chunks nobody sees. */
    public static AttentionLayout of(List<CacheTrace> traces, DemoModelShape shape, NDManager manager) {
        int length = traces.stream().mapToInt(CacheTrace::length).max().orElseThrow();
        int chunk = CacheTrace.CHUNK;
        int chunks = length / chunk;
        int rows = traces.size();
        int d = shape.headDim();
        RopeAngles angles = new RopeAngles(shape, length); // a query is never farther from a key than the trace is long
        float[] queryCos = new float[rows * chunks * length * d];
        float[] querySin = new float[queryCos.length];
        float[] mask = new float[rows * length * length];
        java.util.Arrays.fill(mask, HIDDEN);
        for (int r = 0; r < rows; r++) {
            CacheTrace t = traces.get(r);
            for (int c = 0; c < chunks; c++) {
                for (int q = 0; q < length; q++) {
                    int offset = q < t.length() && c < t.chunks() ? t.offset(q, c) : 0;
                    angles.fill(offset, queryCos, querySin, ((r * chunks + c) * length + q) * d);
                }
            }
            for (int q = 0; q < length; q++) {
                for (int k = 0; k < length; k++) {
                    boolean seen = q < t.length() && k < t.length() ? t.sees(q, k) : k == 0;
                    if (seen) {
                        mask[(r * length + q) * length + k] = 0f;
                    }
                }
            }
        }
        float[] keyCos = new float[chunk * d];
        float[] keySin = new float[chunk * d];
        RopeAngles keyAngles = new RopeAngles(shape, chunk);
        for (int i = 0; i < chunk; i++) {
            keyAngles.fill(i, keyCos, keySin, i * d);
        }
        Shape queryShape = new Shape(rows, 1, chunks, length, d);
        return new AttentionLayout(chunk, manager.create(queryCos, queryShape), manager.create(querySin, queryShape),
                manager.create(keyCos, new Shape(chunk, d)), manager.create(keySin, new Shape(chunk, d)),
                manager.create(mask, new Shape(rows, 1, length, length)));
    }

    /** cos/sin of RoPE angles for positions 0..n-1, each row laid out for rotate-half (both halves alike). */
    private static final class RopeAngles {
        private final int d;
        private final float[] cos;
        private final float[] sin;

        RopeAngles(DemoModelShape shape, int positions) {
            d = shape.headDim();
            int half = d / 2;
            cos = new float[positions * d];
            sin = new float[positions * d];
            for (int i = 0; i < half; i++) {
                double invFreq = Math.pow(shape.ropeTheta(), -2.0 * i / d);
                for (int pos = 0; pos < positions; pos++) {
                    double angle = pos * invFreq;
                    cos[pos * d + i] = cos[pos * d + i + half] = (float) Math.cos(angle);
                    sin[pos * d + i] = sin[pos * d + i + half] = (float) Math.sin(angle);
                }
            }
        }

        void fill(int position, float[] cosOut, float[] sinOut, int at) {
            System.arraycopy(cos, position * d, cosOut, at, d);
            System.arraycopy(sin, position * d, sinOut, at, d);
        }
    }
}
