package io.hogwild.engine.bench;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import io.hogwild.engine.cli.BenchOptions;
import io.hogwild.engine.Engines;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code hogwild engine bench}: lockstep decode step time per worker count, context length, layout and attention
 * mode, all in one run so that ratios compare like with like on a noisy machine.
 *
 * <p>The model has the given shape with random weights; the shared block is filled with {@code context} random
 * keys/values (no prefill), and every worker then writes one token per step into its own block ({@code combined})
 * or into one common block ({@code interleaved}).
 */
public final class EngineBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineBench() {}

    public static JsonNode run(BenchOptions o) {
        ModelConfig shape = BenchShapes.byName(o.shape());
        ArrayNode rows = JSON.createArrayNode();
        Map<String, Double> medians = new HashMap<>();
        try (Transformer model = Transformer.random(shape, Engines.defaultDevice(), 42)) {
            // One untimed pass first: the first steps of a process pay for page faults, JIT and allocator warm-up,
            // which would otherwise land on whichever configuration happens to run first.
            measure(model, o, o.layouts().get(0), o.modes().get(0), o.workers()[0], o.contexts()[0]);
            for (String layout : o.layouts()) {
                for (int context : o.contexts()) {
                    for (int workers : o.workers()) {
                        for (AttentionMode mode : o.modes()) {
                            ObjectNode row = measure(model, o, layout, mode, workers, context);
                            rows.add(row);
                            medians.put(key(layout, mode, workers, context), row.get("step_ms_median").asDouble());
                        }
                    }
                }
            }
        }
        ArrayNode summary = JSON.createArrayNode();
        for (JsonNode r : rows) {
            ObjectNode row = (ObjectNode) r;
            String layout = row.get("layout").asString();
            AttentionMode mode = AttentionMode.parse(row.get("mode").asString());
            int w = row.get("workers").asInt();
            int c = row.get("context").asInt();
            Double naive = medians.get(key(layout, AttentionMode.NAIVE, w, c));
            Double one = medians.get(key(layout, mode, 1, c));
            double self = row.get("step_ms_median").asDouble();
            if (naive != null) {
                row.put("speedup_vs_naive", round(naive / self));
            }
            if (one != null) {
                row.put("step_ratio_vs_one_worker", round(self / one));
            }
            if (mode == AttentionMode.SHARED) {
                ObjectNode s = JSON.createObjectNode();
                s.put("layout", layout);
                s.put("workers", w);
                s.put("context", c);
                if (naive != null) {
                    s.put("speedup_vs_naive", round(naive / self));
                }
                if (one != null) {
                    s.put("step_ratio_vs_one_worker", round(self / one));
                }
                s.set("cache", row.get("cache"));
                summary.add(s);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("shape", o.shape());
        out.put("device", Engines.defaultDevice().toString());
        out.put("steps", o.steps());
        out.set("rows", rows);
        out.set("summary", summary);
        return out;
    }

    private static ObjectNode measure(Transformer model, BenchOptions o, String layout,
                                      AttentionMode mode, int workers, int context) {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = model.config().vocabSize();
        try (HogwildSession session = new HogwildSession(model, mode)) {
            List<String> names = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                names.add("w" + w);
            }
            session.createBlocks(List.of("shared"));
            if (layout.equals("combined")) {
                names.forEach(n -> session.createBlocks(List.of("wip_" + n)));
                for (String n : names) {
                    List<String> view = new ArrayList<>();
                    view.add("shared");
                    names.stream().filter(other -> !other.equals(n)).forEach(other -> view.add("wip_" + other));
                    view.add("wip_" + n);
                    session.setView(n, view);
                }
            } else if (layout.equals("interleaved")) {
                session.createBlocks(List.of("interleaved"));
                names.forEach(n -> session.setView(n, List.of("shared", "interleaved")));
            } else {
                throw new IllegalArgumentException("unknown layout '" + layout + "' (combined, interleaved)");
            }
            session.cache().fillRandom("shared", context);
            double[] times = new double[o.steps()];
            for (int s = -o.warmup(); s < o.steps(); s++) {
                List<Write> writes = new ArrayList<>();
                for (String n : names) {
                    writes.add(new Write(n, new int[] {random.nextInt(vocab)}));
                }
                long t0 = System.nanoTime();
                session.forward(writes, Transformer.Readout.LAST_PER_WRITER);
                long t1 = System.nanoTime();
                if (s >= 0) {
                    times[s] = (t1 - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            double median = times.length % 2 == 1 ? times[times.length / 2]
                    : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
            ObjectNode row = JSON.createObjectNode();
            row.put("shape", o.shape());
            row.put("layout", layout);
            row.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
            row.put("workers", workers);
            row.put("context", context);
            row.put("step_ms_median", round(median));
            row.put("step_ms_min", round(times[0]));
            row.put("tokens_per_s", round(workers * 1000.0 / median));
            row.set("cache", cacheReport(session, names));
            return row;
        }
    }

    /** What the cache holds after the run: each token stored once, however many views read it. */
    private static ObjectNode cacheReport(HogwildSession session, List<String> workers) {
        var cache = session.cache();
        long stored = cache.blocks().values().stream().mapToLong(b -> b.length()).sum();
        long viewed = workers.stream()
                .mapToLong(w -> cache.view(w).stream().mapToLong(b -> b.length()).sum()).sum();
        ObjectNode c = JSON.createObjectNode();
        c.put("tokens_stored", stored);
        c.put("tokens_in_all_views", viewed);
        c.put("bytes_per_token", cache.bytesPerToken());
        c.put("used_bytes", cache.usedBytes());
        c.put("allocated_bytes", cache.allocatedBytes());
        c.put("allocated_to_used", round((double) cache.allocatedBytes() / cache.usedBytes()));
        c.put("per_worker_copies_bytes", viewed * cache.bytesPerToken());
        return c;
    }

    private static String key(String layout, AttentionMode mode, int workers, int context) {
        return layout + "/" + mode + "/" + workers + "/" + context;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
