package io.hogwild.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.BatchedForward;
import io.hogwild.engine.ComputeDtype;
import io.hogwild.engine.Engines;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.KvBlock;
import io.hogwild.engine.cache.SharedCache;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.cli.BenchOptions;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.tensor.MklCpuPath;
import io.hogwild.engine.tensor.RowsKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code hogwild engine bench}: lockstep decode pass time per worker count, context length, layout and attention
 * mode, all in one run so that ratios compare like with like on a noisy machine.
 *
 * <p>The model has the given shape with random weights; the context is random keys/values put straight into the
 * cache (no prefill, see {@link BenchLayout}), and every worker then writes one token per pass. Each row also
 * relates the pass time to what a pass must read (the weights once, every block some writer sees once) and to the
 * machine's own read rates ({@link MachineRates}), and with {@code --profile-ops} counts the operators a pass
 * dispatches per layer ({@link OpProfiler}) in a separate run, so that profiling never slows a timed pass.
 */
public final class EngineBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double GB = 1e9;

    private EngineBench() {}

    public static JsonNode run(BenchOptions o) {
        ModelConfig shape = BenchShapes.byName(o.shape());
        List<BenchLayout> layouts = o.layouts().stream().map(BenchLayout::parse).toList();
        Device device = Engines.defaultDevice();
        DataType dtype = o.dtype() == null ? DataType.FLOAT32 : o.dtype();
        long weightBytes = weightBytes(shape, dtype);
        MachineRates rates = MachineRates.measure(device, dtype, weightBytes);
        ArrayNode rows = JSON.createArrayNode();
        Map<String, Double> medians = new HashMap<>();
        try (Transformer model = Transformer.random(shape, device, 42, dtype)) {
            // One untimed run first: the first passes of a process pay for page faults, JIT and allocator warm-up,
            // which would otherwise land on whichever configuration happens to run first.
            timed(model, o, layouts.get(0), o.modes().get(0), o.workers()[0], o.contexts()[0]);
            for (BenchLayout layout : layouts) {
                for (int context : o.contexts()) {
                    for (int workers : o.workers()) {
                        for (AttentionMode mode : o.modes()) {
                            ObjectNode row = timed(model, o, layout, mode, workers, context);
                            double seconds = row.get("step_ms_median").asDouble() / 1000;
                            long bytes = row.get("bytes_per_step").asLong();
                            row.put("us_per_layer_step", round(seconds * 1e6 / shape.numLayers()));
                            row.put("bandwidth_fraction", significant(bytes / seconds / rates.readBytesPerSecond()));
                            row.put("gemv_fraction", significant(bytes / seconds / rates.gemvBytesPerSecond()));
                            if (o.sessions() > 1) {
                                batching(row, model, o, layout, mode, workers, context);
                            }
                            if (o.profileOps()) {
                                profiled(row, model, o, layout, mode, workers, context);
                            }
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
            BenchLayout layout = BenchLayout.parse(row.get("layout").asString());
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
                for (String f : List.of("layout", "workers", "context", "speedup_vs_naive", "step_ratio_vs_one_worker",
                        "us_per_layer_step", "ops_per_layer_step", "gemv_fraction", "batching_speedup", "cache")) {
                    if (row.has(f)) {
                        s.set(f, row.get(f));
                    }
                }
                summary.add(s);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("shape", o.shape());
        out.put("device", device.toString());
        out.put("dtype", ComputeDtype.name(dtype));
        out.put("layers", shape.numLayers());
        out.put("steps", o.steps());
        out.put("sessions", o.sessions());
        out.put("weight_bytes", weightBytes);
        ObjectNode machine = out.putObject("machine");
        machine.put("read_gb_per_s", round(rates.readBytesPerSecond() / GB));
        machine.put("gemv_gb_per_s", round(rates.gemvBytesPerSecond() / GB));
        machine.put("gemv_matrix_bytes", rates.gemvMatrixBytes());
        machine.put("mkl_cpu_path", MklCpuPath.name()); // how MKL chose its kernels in this process
        machine.put("rows_kernel", RowsKernel.name()); // what projects 4-8 rows on the CPU in this process
        out.set("rows", rows);
        out.set("summary", summary);
        return out;
    }

    /** A session of the given configuration, its context in place, ready for its first pass. */
    private static final class Run implements AutoCloseable {
        final HogwildSession session;
        final List<String> workers = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(7);
        final int vocab;

        Run(Transformer model, BenchLayout layout, AttentionMode mode, int workerCount, int context) {
            this.vocab = model.config().vocabSize();
            for (int w = 0; w < workerCount; w++) {
                workers.add("w" + w);
            }
            session = new HogwildSession(model, mode);
            try {
                layout.setUp(session, workers, context);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }

        /** One lockstep pass: every worker writes one random token. */
        void pass() {
            session.forward(writes(), Transformer.Readout.LAST_PER_WRITER);
        }

        /** This session's part of a joint pass: every worker writes one random token. */
        BatchedForward.Request request() {
            return new BatchedForward.Request(session, writes(), Transformer.Readout.LAST_PER_WRITER);
        }

        private List<Write> writes() {
            List<Write> writes = new ArrayList<>();
            for (String w : workers) {
                writes.add(new Write(w, new int[] {random.nextInt(vocab)}));
            }
            return writes;
        }

        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * {@code --sessions S}: S sessions of the row's configuration, each lockstep pass of all of them run as one joint
     * forward pass ({@link BatchedForward}) and, alternating with it, as S passes one after another; a round is
     * one lockstep pass of every session. Alternating rounds keep the comparison fair on a machine whose speed drifts.
     */
    private static void batching(ObjectNode row, Transformer model, BenchOptions o, BenchLayout layout,
                                 AttentionMode mode, int workers, int context) {
        int sessions = o.sessions();
        List<Run> runs = new ArrayList<>();
        try {
            for (int s = 0; s < sessions; s++) {
                runs.add(new Run(model, layout, mode, workers, context));
            }
            double[] batched = new double[o.steps()];
            double[] sequential = new double[o.steps()];
            for (int s = -o.warmup(); s < o.steps(); s++) {
                long t0 = System.nanoTime();
                for (BatchedForward.Result r : BatchedForward.forward(model,
                        runs.stream().map(Run::request).toList())) {
                    r.orThrow();
                }
                long t1 = System.nanoTime();
                runs.forEach(Run::pass);
                long t2 = System.nanoTime();
                if (s >= 0) {
                    batched[s] = (t1 - t0) / 1e6;
                    sequential[s] = (t2 - t1) / 1e6;
                }
            }
            double batchedMs = median(batched);
            double sequentialMs = median(sequential);
            long tokensPerRound = (long) sessions * workers;
            ObjectNode b = row.putObject("batching");
            b.put("sessions", sessions);
            b.put("round_ms_batched", round(batchedMs));
            b.put("round_ms_sequential", round(sequentialMs));
            b.put("tokens_per_s_batched", round(tokensPerRound * 1000.0 / batchedMs));
            b.put("tokens_per_s_sequential", round(tokensPerRound * 1000.0 / sequentialMs));
            row.put("batching_speedup", round(sequentialMs / batchedMs));
            if (o.profileOps()) {
                // The joint pass under the profiler, after the timed rounds: where its time goes.
                OpProfiler.OpCounts counts = OpProfiler.count(() -> {
                    for (int s = 0; s < o.steps(); s++) {
                        BatchedForward.forward(model, runs.stream().map(Run::request).toList())
                                .forEach(BatchedForward.Result::orThrow);
                    }
                });
                double perLayerRound = (double) o.steps() * model.config().numLayers();
                b.put("ops_per_layer_round", round(counts.total() / perLayerRound));
                b.set("op_time_share_by_name", shares(counts));
            }
        } finally {
            runs.forEach(Run::close);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static ObjectNode timed(Transformer model, BenchOptions o, BenchLayout layout, AttentionMode mode,
                                    int workers, int context) {
        try (Run run = new Run(model, layout, mode, workers, context)) {
            double[] times = new double[o.steps()];
            for (int s = -o.warmup(); s < o.steps(); s++) {
                long t0 = System.nanoTime();
                run.pass();
                long t1 = System.nanoTime();
                if (s >= 0) {
                    times[s] = (t1 - t0) / 1e6;
                }
            }
            double median = median(times);
            ObjectNode row = JSON.createObjectNode();
            row.put("shape", o.shape());
            row.put("layout", layout.label());
            row.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
            row.put("workers", workers);
            row.put("context", context);
            row.put("step_ms_median", round(median));
            row.put("step_ms_min", round(Arrays.stream(times).min().orElseThrow()));
            row.put("tokens_per_s", round(workers * 1000.0 / median));
            row.put("bytes_per_step", weightBytes(model.config(), model.cacheDataType()) + visibleBytes(run));
            row.set("cache", cacheReport(run));
            return row;
        }
    }

    /** The same configuration again, its measured passes under the profiler: operators per layer and pass. */
    private static void profiled(ObjectNode row, Transformer model, BenchOptions o, BenchLayout layout,
                                 AttentionMode mode, int workers, int context) {
        try (Run run = new Run(model, layout, mode, workers, context)) {
            for (int s = 0; s < o.warmup(); s++) {
                run.pass();
            }
            OpProfiler.OpCounts counts = OpProfiler.count(() -> {
                for (int s = 0; s < o.steps(); s++) {
                    run.pass();
                }
            });
            double perLayerStep = (double) o.steps() * model.config().numLayers();
            row.put("ops_per_layer_step", round(counts.total() / perLayerStep));
            ObjectNode byName = row.putObject("ops_per_layer_step_by_name");
            counts.byName().entrySet().stream()
                    .sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(e -> byName.put(e.getKey().substring("aten::".length()), round(e.getValue() / perLayerStep)));
            row.set("op_time_share_by_name", shares(counts));
        }
    }

    /** Where a profiled run spent its time, per operator: shares of the time in top-level operators, largest first. */
    private static ObjectNode shares(OpProfiler.OpCounts counts) {
        double totalMicros = counts.microsByName().values().stream().mapToDouble(Double::doubleValue).sum();
        ObjectNode shares = JSON.createObjectNode();
        counts.microsByName().entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> shares.put(e.getKey().substring("aten::".length()), significant(e.getValue() / totalMicros)));
        return shares;
    }

    /**
     * Bytes of weights a decode pass reads in full: every layer's matrices and norms, the final norm and the output
     * projection (the embedding table only gives a few rows, unless it is the tied output projection).
     */
    static long weightBytes(ModelConfig c, DataType dtype) {
        return c.weightCount() * dtype.getNumOfBytes();
    }

    /** Bytes of the blocks that at least one worker sees: each read once per pass, whoever reads it. */
    private static long visibleBytes(Run run) {
        SharedCache cache = run.session.cache();
        Set<KvBlock> visible = new LinkedHashSet<>();
        run.workers.forEach(w -> visible.addAll(cache.view(w)));
        return visible.stream().mapToLong(KvBlock::length).sum() * cache.bytesPerToken();
    }

    /** What the cache holds after the run: each token stored once, however many views read it. */
    private static ObjectNode cacheReport(Run run) {
        SharedCache cache = run.session.cache();
        long stored = cache.blocks().values().stream().mapToLong(KvBlock::length).sum();
        long viewed = run.workers.stream()
                .mapToLong(w -> cache.view(w).stream().mapToLong(KvBlock::length).sum()).sum();
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

    private static String key(BenchLayout layout, AttentionMode mode, int workers, int context) {
        return layout + "/" + mode + "/" + workers + "/" + context;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Three significant digits: fractions of a toy model's pass can be far below 0.001. */
    private static double significant(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).doubleValue();
    }
}
