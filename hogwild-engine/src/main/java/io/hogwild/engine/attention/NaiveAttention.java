package io.hogwild.engine.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.hogwild.engine.cache.KvBlock;
import io.hogwild.engine.rope.Rope;
import io.hogwild.engine.cache.Slot;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RotaryEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * The straightforward reading of the semantics: for each writer, build its view as one ordinary KV cache by
 * re-rotating every block's keys to the block's offset and concatenating, then plain causal attention. Each
 * writer reads (and re-rotates) the whole view on its own, so W workers cost W times the cache traffic.
 */
final class NaiveAttention implements Attention {

    /** Per-writer pass state: the view's rotation rows and the query rows and mask. */
    private record WriterState(Slot slot, List<NDArray> blockCos, List<NDArray> blockSin, NDArray queryCos,
                               NDArray querySin, NDArray mask, int viewLength) {}

    @Override
    public PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
        int d = config.headDim();
        float scale = (float) (1.0 / Math.sqrt(d));
        List<WriterState> writers = new ArrayList<>();
        for (Slot s : plan.slots()) {
            List<NDArray> blockCos = new ArrayList<>();
            List<NDArray> blockSin = new ArrayList<>();
            int offset = 0;
            for (KvBlock b : s.view()) {
                float[] c = new float[d];
                float[] si = new float[d];
                rope.fill(offset, 1f, c, si, 0);
                blockCos.add(plan.upload(c, new Shape(1, 1, d)));
                blockSin.add(plan.upload(si, new Shape(1, 1, d)));
                offset += b.length();
            }
            int viewLength = offset;
            float[] qc = new float[s.count() * d];
            float[] qs = new float[s.count() * d];
            float[] mask = new float[viewLength * s.count()]; // key-major [viewLength, tokens], like the scores
            int targetOffset = s.offsetOf(s.target());
            for (int i = 0; i < s.count(); i++) {
                int position = targetOffset + s.start() + i; // the query's position in this view
                rope.fill(position, scale, qc, qs, i * d);
                // Everything before the target block is visible; inside it, keys up to the query itself.
                for (int j = position + 1; j < viewLength; j++) {
                    mask[j * s.count() + i] = Float.NEGATIVE_INFINITY;
                }
            }
            writers.add(new WriterState(s, blockCos, blockSin,
                    plan.upload(qc, new Shape(s.count(), 1, d)), plan.upload(qs, new Shape(s.count(), 1, d)),
                    plan.upload(mask, new Shape(viewLength, 1, s.count())), viewLength));
        }
        int kvHeads = config.numKvHeads();
        int group = config.groupSize();
        long width = (long) config.numHeads() * d;

        return (layer, q) -> {
            NDList outputs = new NDList(writers.size());
            for (WriterState w : writers) {
                Slot s = w.slot();
                int n = s.count();
                NDList keys = new NDList();
                NDList values = new NDList();
                for (int bi = 0; bi < s.view().size(); bi++) {
                    KvBlock b = s.view().get(bi);
                    if (b.length() == 0) {
                        continue;
                    }
                    keys.add(Rope.apply(b.keys(q.getManager(), layer), w.blockCos().get(bi), w.blockSin().get(bi)));
                    values.add(b.values(q.getManager(), layer));
                }
                NDArray k = keys.size() == 1 ? keys.get(0) : NDArrays.concat(keys, 1);
                NDArray v = values.size() == 1 ? values.get(0) : NDArrays.concat(values, 1);
                NDArray qw = Rope.apply(q.get(new NDIndex().addSliceDim(s.row(), s.row() + n)), w.queryCos(), w.querySin())
                        .reshape(n, kvHeads, group, d).transpose(1, 2, 0, 3).reshape(kvHeads, (long) group * n, d);
                // Key-major scores K q^T, as in SharedAttention (the faster BLAS orientation for few queries).
                NDArray probs = k.matMul(qw.transpose(0, 2, 1)).reshape(kvHeads, w.viewLength(), group, n)
                        .add(w.mask()).softmax(1).reshape(kvHeads, w.viewLength(), (long) group * n);
                outputs.add(probs.transpose(0, 2, 1).matMul(v).reshape(kvHeads, group, n, d).transpose(2, 0, 1, 3)
                        .reshape(n, width));
            }
            return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        };
    }
}
