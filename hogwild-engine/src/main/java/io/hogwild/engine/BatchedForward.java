package io.hogwild.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.cache.Write;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass for the writes of several sessions on the same model (continuous batching): every session's
 * tokens go through the projections, the MLP and the logits together, each attends over its own cache only.
 *
 * <p>A session whose writes cannot be planned (an unknown worker, a worker writing twice) fails alone, before the
 * pass: the others run without it. A failure of the joint pass itself (out of memory) is every part's failure.
 */
public final class BatchedForward {

    private BatchedForward() {}

    /** One session's writes in a joint pass. */
    public record Request(HogwildSession session, List<Write> writes, Transformer.Readout readout) {}

    /** A session's logits per worker (rows as {@code readout} says), or why its part failed. */
    public record Result(Map<String, float[][]> logits, RuntimeException failure) {

        public boolean failed() {
            return failure != null;
        }

        /** The logits, or the failure thrown. */
        public Map<String, float[][]> orThrow() {
            if (failure != null) {
                throw failure;
            }
            return logits;
        }
    }

    /** Runs every request in one pass on {@code model}; results in request order. */
    public static List<Result> forward(Transformer model, List<Request> requests) {
        Result[] results = new Result[requests.size()];
        try (NDManager pass = model.manager().newSubManager()) {
            List<Transformer.Part> parts = new ArrayList<>();
            List<Integer> planned = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                Request r = requests.get(i);
                if (r.session().model() != model) {
                    results[i] = new Result(null, new IllegalArgumentException("the session runs on another model"));
                    continue;
                }
                try {
                    PassPlan plan = r.session().cache().plan(r.writes(), model.rope(), pass);
                    parts.add(new Transformer.Part(plan, r.session().attention(), r.readout()));
                    planned.add(i);
                } catch (RuntimeException e) {
                    results[i] = new Result(null, e);
                }
            }
            if (!parts.isEmpty()) {
                try {
                    NDArray logits = model.forward(parts, pass);
                    int vocab = (int) logits.getShape().get(1);
                    float[] flat = logits.toFloatArray();
                    int row = 0;
                    for (int p = 0; p < parts.size(); p++) {
                        results[planned.get(p)] = new Result(split(parts.get(p), flat, row, vocab), null);
                        row += parts.get(p).readoutRows();
                    }
                } catch (RuntimeException e) {
                    planned.forEach(i -> results[i] = new Result(null, e));
                }
            }
        }
        return List.of(results);
    }

    /** A part's logits rows, from row {@code first} of the joint logits, per worker. */
    private static Map<String, float[][]> split(Transformer.Part part, float[] flat, int first, int vocab) {
        Map<String, float[][]> out = new LinkedHashMap<>();
        int row = first;
        for (var slot : part.plan().slots()) {
            int rows = part.readout() == Transformer.Readout.ALL ? slot.count() : 1;
            float[][] mine = new float[rows][];
            for (int r = 0; r < rows; r++, row++) {
                mine[r] = Arrays.copyOfRange(flat, row * vocab, (row + 1) * vocab);
            }
            out.put(slot.worker(), mine);
        }
        return out;
    }
}
