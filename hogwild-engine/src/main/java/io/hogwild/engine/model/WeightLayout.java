package io.hogwild.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The layout the forward pass wants its weights in, prepared once at load so that a pass issues few operators.
 * Every fold is exact up to float32 rounding of the product it precomputes.
 *
 * <ul>
 *   <li><b>One extra residual feature.</b> The residual stream is {@code [rows, hidden + 1]}: its last feature is the constant {@code c = sqrt(hidden * eps)}, so its 2-norm is
 *       {@code sqrt(hidden) * sqrt(mean(x^2) + eps)} and RMSNorm is two operators (norm, divide) with its epsilon
 *       exactly in place. Matrices reading the stream have a zero column for that feature, matrices writing to it a
 *       zero row, and the embedding table holds {@code c} in it.</li>
 *   <li><b>Folded norm weights.</b> {@code sqrt(hidden) * g} of an RMSNorm scales the columns of the projection that
 *       reads its output.</li>
 *   <li><b>Head order.</b> The fused projection's rows are, for each kv head, the group's query heads, then the kv
 *       head's key, then its value, each head's dimensions in rotary pair order ({@code (i, i + d/2)} side by
 *       side). So a pass's q/k/v is one array {@code [rows, kvHeads, 1, group + 2, d/2, 2]}: q and k normalize and
 *       rotate together, swapping the halves of every pair is one flip, and the values split off as they are
 *       stored. Keys and values stay in pair order in the cache (dot products do not care); the output
 *       projection's columns follow, per (kv head, group) head: the order in which attention produces them.</li>
 *   <li><b>Query scale.</b> {@code 1/sqrt(d)} is in the query rows, or in the q-norm weight when there is one.</li>
 * </ul>
 */
public final class WeightLayout {

    private WeightLayout() {}

    /** The residual stream's extra feature, {@code sqrt(hidden * eps)}. */
    public static float residualExtra(ModelConfig c) {
        return (float) Math.sqrt(c.hiddenSize() * c.rmsNormEps());
    }

    /** Heads per kv head in the fused projection: the group's queries, the key, the value. */
    public static int headsPerKvHead(ModelConfig c) {
        return c.groupSize() + 2;
    }

    /** The raw tensors of one layer as a checkpoint stores them (float32), before folding. */
    record RawLayer(NDArray inputNorm, NDArray q, NDArray k, NDArray v, NDArray qBias, NDArray kBias, NDArray vBias,
                    NDArray qNorm, NDArray kNorm, NDArray out, NDArray postNorm, NDArray gate, NDArray up,
                    NDArray down) {}

    /** Folds one layer; intermediates live in {@code scratch}, results are in {@code dtype} in {@code target}. */
    static LayerWeights fold(ModelConfig c, RawLayer raw, NDManager scratch, NDManager target, DataType dtype) {
        float sqrtHidden = (float) Math.sqrt(c.hiddenSize());
        NDArray headOrder = scratch.create(qkvSourceRows(c));
        NDArray rowScale = scratch.create(qkvRowScale(c), new Shape(headOrder.getShape().get(0), 1));
        NDArray stacked = NDArrays.concat(new NDList(raw.q(), raw.k(), raw.v()), 0);
        NDArray inScale = raw.inputNorm().mul(sqrtHidden).reshape(1, -1);
        NDArray qkv = withReadColumn(stacked.get(new NDIndex("{}", headOrder)).mul(rowScale).mul(inScale));
        NDArray bias = null;
        if (raw.qBias() != null) {
            bias = NDArrays.concat(new NDList(raw.qBias(), raw.kBias(), raw.vBias()), 0)
                    .get(new NDIndex("{}", headOrder)).mul(rowScale.reshape(-1));
        }
        NDArray qkNorm = raw.qNorm() == null ? null : qkNormTable(c, raw.qNorm(), raw.kNorm(), scratch);
        NDArray out = withWriteRow(raw.out().get(new NDIndex(":, {}", scratch.create(outSourceColumns(c)))));
        NDArray postScale = raw.postNorm().mul(sqrtHidden).reshape(1, -1);
        NDArray gateUp = withReadColumn(NDArrays.concat(new NDList(raw.gate(), raw.up()), 0).mul(postScale));
        NDArray down = withWriteRow(raw.down());
        Projection outProjection = projection(out, dtype, target);
        // Also as one [d, hidden + 1] matrix per (kv head, group) head: attention's output [heads, rows, d] times it,
        // summed over heads, is the projection of several rows.
        NDArray outPerHead = outProjection.transposed().reshape(c.numHeads(), c.headDim(), c.hiddenSize() + 1L);
        outPerHead.attach(target);
        return new LayerWeights(projection(qkv, dtype, target), keep(bias, dtype, target),
                keep(qkNorm, DataType.FLOAT32, target), outProjection, outPerHead, projection(gateUp, dtype, target),
                projection(down, dtype, target));
    }

    /** The embedding table with the residual's extra feature as its last column, {@code [vocab, hidden + 1]}. */
    static NDArray embedding(ModelConfig c, NDArray embed, NDManager target, DataType dtype) {
        NDArray extra = embed.getManager().full(new Shape(embed.getShape().get(0), 1), residualExtra(c), DataType.FLOAT32);
        return keep(NDArrays.concat(new NDList(embed, extra), 1), dtype, target);
    }

    /** An untied output projection with the final norm folded in, {@code [vocab, hidden + 1]}. */
    static Projection outputProjection(ModelConfig c, NDArray lmHead, NDArray finalNorm, NDManager target,
                                       DataType dtype) {
        NDArray scale = finalNorm.mul((float) Math.sqrt(c.hiddenSize())).reshape(1, -1);
        return projection(withReadColumn(lmHead.mul(scale)), dtype, target);
    }

    /**
     * The final norm's weight as float32 {@code [hidden + 1]} (zero for the extra feature), for a tied output
     * projection, which is the embedding table itself and so cannot hold it.
     */
    static NDArray finalNormWeight(ModelConfig c, NDArray finalNorm, NDManager target) {
        NDArray scaled = finalNorm.mul((float) Math.sqrt(c.hiddenSize()));
        return keep(NDArrays.concat(new NDList(scaled, scaled.getManager().zeros(new Shape(1))), 0), DataType.FLOAT32,
                target);
    }

    /**
     * For each row of the fused projection in head order, its row in {@code [q_proj; k_proj; v_proj]}: query head
     * {@code h = kv * group + g}, dimension {@code e}, is row {@code h * d + e}; key {@code kv} is row
     * {@code heads * d + kv * d + e}; value {@code kv} is row {@code (heads + kvHeads) * d + kv * d + e}.
     */
    static long[] qkvSourceRows(ModelConfig c) {
        int d = c.headDim();
        int group = c.groupSize();
        long keys = (long) c.numHeads() * d;
        long values = keys + (long) c.numKvHeads() * d;
        long[] rows = new long[c.numKvHeads() * headsPerKvHead(c) * d];
        int at = 0;
        for (int kv = 0; kv < c.numKvHeads(); kv++) {
            for (int g = 0; g < headsPerKvHead(c); g++) {
                for (int i = 0; i < d / 2; i++) {
                    for (int half = 0; half < 2; half++) {
                        int e = i + half * d / 2;
                        rows[at++] = g < group ? (long) (kv * group + g) * d + e
                                : (g == group ? keys : values) + (long) kv * d + e;
                    }
                }
            }
        }
        return rows;
    }

    /** 1/sqrt(d) on query rows when there is no q-norm to hold it, 1 elsewhere; in head order. */
    private static float[] qkvRowScale(ModelConfig c) {
        int d = c.headDim();
        float query = c.architecture().qkNorm() ? 1f : (float) (1 / Math.sqrt(d));
        float[] scale = new float[c.numKvHeads() * headsPerKvHead(c) * d];
        for (int r = 0; r < scale.length; r++) {
            scale[r] = (r / d) % headsPerKvHead(c) < c.groupSize() ? query : 1f;
        }
        return scale;
    }

    /** For each attention output column, (head, dim in pair order), its column in {@code o_proj}. */
    static long[] outSourceColumns(ModelConfig c) {
        int d = c.headDim();
        long[] columns = new long[c.numHeads() * d];
        int at = 0;
        for (int h = 0; h < c.numHeads(); h++) {
            for (int i = 0; i < d / 2; i++) {
                for (int half = 0; half < 2; half++) {
                    columns[at++] = (long) h * d + i + half * d / 2;
                }
            }
        }
        return columns;
    }

    /**
     * The q/k norm weights as one table {@code [group + 1, d/2, 2]} in head order. The forward pass divides a head
     * by {@code sqrt(sum(x^2) + d * eps)}, i.e. by {@code sqrt(d)} times its RMS, so keys get
     * {@code sqrt(d) * k_norm}, and queries {@code q_norm} (their {@code 1/sqrt(d)} scale cancels that factor).
     */
    private static NDArray qkNormTable(ModelConfig c, NDArray qNorm, NDArray kNorm, NDManager scratch) {
        int d = c.headDim();
        int group = c.groupSize();
        float[] q = qNorm.toFloatArray();
        float[] k = kNorm.toFloatArray();
        float sqrtD = (float) Math.sqrt(d);
        float[] table = new float[d * (group + 1)];
        int at = 0;
        for (int g = 0; g <= group; g++) {
            for (int i = 0; i < d / 2; i++) {
                for (int half = 0; half < 2; half++) {
                    int e = i + half * d / 2;
                    table[at++] = g < group ? q[e] : sqrtD * k[e];
                }
            }
        }
        return scratch.create(table, new Shape(group + 1, d / 2, 2));
    }

    /** Appends a zero column: the matrix ignores the residual's extra feature. */
    private static NDArray withReadColumn(NDArray w) {
        return NDArrays.concat(new NDList(w, w.getManager().zeros(new Shape(w.getShape().get(0), 1))), 1);
    }

    /** Appends a zero row: the matrix leaves the residual's extra feature unchanged. */
    private static NDArray withWriteRow(NDArray w) {
        return NDArrays.concat(new NDList(w, w.getManager().zeros(new Shape(1, w.getShape().get(1)))), 0);
    }

    /** A matrix {@code [out, in]} in {@code dtype}, kept with its transpose (a view), as a {@link Projection}. */
    static Projection projection(NDArray w, DataType dtype, NDManager target) {
        NDArray kept = keep(w, dtype, target);
        NDArray transposed = kept.transpose();
        transposed.attach(target);
        return new Projection(kept, transposed);
    }

    /**
     * {@code x} in {@code dtype}, owned by {@code target}: always a fresh copy, because a conversion to the same dtype
     * returns an alias, and an array DJL made from a Java buffer (the tables here, F32 checkpoint pages) is only
     * valid while that array lives, which ends with the scratch manager.
     */
    private static NDArray keep(NDArray x, DataType dtype, NDManager target) {
        if (x == null) {
            return null;
        }
        NDArray kept = x.toType(dtype, false).duplicate();
        kept.attach(target);
        return kept;
    }
}
