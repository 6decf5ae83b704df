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
import java.util.Arrays;
import java.util.List;

/**
 * Hogwild! attention over the block cache without touching stored keys.
 *
 * <p>Every block that any writer of the pass reads is scored once, for all of the pass's queries together: each
 * query is rotated to {@code position - offset of the block in its writer's view}, which scores exactly like the
 * stored key rotated to its view position. The scores of all blocks go through one softmax (a mask hides the
 * blocks a writer does not see and, in its target block, the keys after the query), and each block's values are
 * read once. So the big shared blocks (prompt, history) cost the same for one worker or eight.
 */
final class SharedAttention implements Attention {

    @Override
    public PassAttention prepare(PassPlan plan, ModelConfig config, RotaryEmbedding rope) {
        List<KvBlock> blocks = new ArrayList<>();
        for (Slot s : plan.slots()) {
            for (KvBlock b : s.view()) {
                if (b.length() > 0 && !blocks.contains(b)) {
                    blocks.add(b);
                }
            }
        }
        int n = plan.tokens();
        int d = config.headDim();
        int columns = blocks.stream().mapToInt(KvBlock::length).sum();
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] cos = new float[blocks.size() * n * d];
        float[] sin = new float[blocks.size() * n * d];
        float[] mask = new float[n * columns];
        Arrays.fill(mask, Float.NEGATIVE_INFINITY);
        int column = 0;
        for (int bi = 0; bi < blocks.size(); bi++) {
            KvBlock b = blocks.get(bi);
            for (Slot s : plan.slots()) {
                if (!s.view().contains(b)) {
                    continue; // rotation rows stay zero, the mask hides the block
                }
                int delta = s.queryPosition(0) - s.offsetOf(b); // first query's distance from the block start
                for (int i = 0; i < s.count(); i++) {
                    int row = s.row() + i;
                    rope.fill(delta + i, scale, cos, sin, (bi * n + row) * d);
                    int visible = b == s.target() ? s.start() + i + 1 : b.length();
                    for (int j = 0; j < visible; j++) {
                        mask[(column + j) * n + row] = 0f; // key-major [columns, tokens], like the scores
                    }
                }
            }
            column += b.length();
        }
        Shape rotShape = new Shape(blocks.size(), 1, 1, n, d);
        NDArray cosRows = plan.upload(cos, rotShape);
        NDArray sinRows = plan.upload(sin, rotShape);
        NDArray maskRows = plan.upload(mask, new Shape(columns, 1, n));
        int kvHeads = config.numKvHeads();
        int group = config.groupSize();
        int heads = config.numHeads();
        long rows = (long) group * n;

        // Scores are computed key-major, K q^T -> [kvHeads, keys, group * tokens]: with few queries, BLAS reads the
        // keys at memory speed in this orientation and several times slower in q K^T.
        return (layer, q) -> {
            // [tokens, heads, d] -> [kvHeads, group, tokens, d]: each kv head serves its group of query heads.
            NDArray grouped = q.reshape(n, kvHeads, group, d).transpose(1, 2, 0, 3).expandDims(0);
            // One rotation per (block, query), laid out [blocks, kvHeads, d, group * tokens] for K q^T.
            NDArray rotated = Rope.apply(grouped, cosRows, sinRows).reshape(blocks.size(), kvHeads, rows, d)
                    .transpose(0, 1, 3, 2);
            NDList scores = new NDList(blocks.size());
            NDList values = new NDList(blocks.size());
            for (int bi = 0; bi < blocks.size(); bi++) {
                KvBlock b = blocks.get(bi);
                NDArray keys = b.keys(q.getManager(), layer);
                scores.add(keys.matMul(rotated.get(new NDIndex().addIndices(bi))));
                values.add(b.values(q.getManager(), layer));
            }
            NDArray all = scores.size() == 1 ? scores.get(0) : NDArrays.concat(scores, 1);
            NDArray probs = all.reshape(kvHeads, columns, group, n).add(maskRows).softmax(1)
                    .reshape(kvHeads, columns, rows);
            NDArray out = null;
            int col = 0;
            for (int bi = 0; bi < blocks.size(); bi++) {
                int len = blocks.get(bi).length();
                NDArray p = blocks.size() == 1 ? probs
                        : probs.get(new NDIndex().addAllDim().addSliceDim(col, col + len));
                NDArray part = p.transpose(0, 2, 1).matMul(values.get(bi)); // [kvHeads, group * tokens, d]
                out = out == null ? part : out.add(part);
                col += len;
            }
            return out.reshape(kvHeads, group, n, d).transpose(2, 0, 1, 3).reshape(n, (long) heads * d);
        };
    }
}
