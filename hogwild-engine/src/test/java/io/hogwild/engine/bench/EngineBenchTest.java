package io.hogwild.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.engine.cli.EngineCliAccess;
import io.hogwild.engine.tensor.MklCpuPath;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The benchmark runs end to end on small shapes and reports every field the closing notes quote. */
class EngineBenchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode bench(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        return JSON.readTree(EngineCliAccess.runToString(all));
    }

    @Test
    void benchReportsRowsRatiosCacheBytesAndBandwidthUse() {
        JsonNode doc = bench("--shape", "tiny", "--workers", "1,2", "--context", "64,256", "--steps", "3", "--warmup",
                "1", "--layouts", "combined,contiguous,stream");
        JsonNode machine = doc.path("machine");
        assertThat(machine.path("read_gb_per_s").asDouble()).isPositive();
        assertThat(machine.path("gemv_gb_per_s").asDouble()).isPositive();
        // The launcher preloads its MKL kernel-choice library on AMD CPUs; the bench says whether this process has it.
        boolean preloaded = String.valueOf(System.getenv("LD_PRELOAD")).contains(MklCpuPath.LIBRARY);
        assertThat(machine.path("mkl_cpu_path").asText()).isEqualTo(preloaded ? "features" : "default");
        long weightBytes = doc.path("weight_bytes").asLong();
        assertThat(weightBytes).isPositive();
        JsonNode rows = doc.path("rows");
        assertThat(rows.size()).isEqualTo(3 * 2 * 2 * 2);
        for (JsonNode r : rows) {
            for (String f : new String[] {"shape", "layout", "mode", "workers", "context", "step_ms_median",
                    "tokens_per_s", "speedup_vs_naive", "step_ratio_vs_one_worker", "us_per_layer_step",
                    "bytes_per_step", "bandwidth_fraction", "gemv_fraction"}) {
                assertThat(r.has(f)).as(f).isTrue();
            }
            // Profiling only when asked for: no operator counts in this run.
            assertThat(r.has("ops_per_layer_step")).isFalse();
            assertThat(r.path("step_ms_median").asDouble()).isPositive();
            assertThat(r.path("us_per_layer_step").asDouble())
                    .isCloseTo(r.path("step_ms_median").asDouble() * 1000 / doc.path("layers").asInt(),
                            org.assertj.core.data.Offset.offset(0.01));
            JsonNode cache = r.path("cache");
            // Shared blocks are stored once: the cache holds context + one token per worker per pass...
            int passes = 3 + 1;
            assertThat(cache.path("tokens_stored").asLong())
                    .isEqualTo(r.path("context").asLong() + (long) r.path("workers").asInt() * passes);
            // ...while the views together see it once per worker.
            assertThat(cache.path("tokens_in_all_views").asLong())
                    .isGreaterThanOrEqualTo(r.path("workers").asLong() * r.path("context").asLong());
            // Growing blocks have 1.5x headroom and the storage grows by 1.5x: allocation stays within a small factor.
            assertThat(cache.path("allocated_bytes").asLong()).isLessThanOrEqualTo(3 * cache.path("used_bytes").asLong());
            // A pass must read the weights once and every stored token once (every block is seen by someone).
            assertThat(r.path("bytes_per_step").asLong())
                    .isEqualTo(weightBytes + cache.path("tokens_stored").asLong() * cache.path("bytes_per_token").asLong());
            assertThat(r.path("bandwidth_fraction").asDouble()).isPositive();
            assertThat(r.path("gemv_fraction").asDouble()).isPositive();
        }
        assertThat(doc.path("summary").size()).isEqualTo(3 * 2 * 2);
    }

    @Test
    void benchRunsInFloat16WithHalfTheBytesPerStep() {
        JsonNode half = bench("--shape", "tiny", "--workers", "2", "--context", "64", "--steps", "2", "--modes", "shared",
                "--dtype", "float16");
        JsonNode full = bench("--shape", "tiny", "--workers", "2", "--context", "64", "--steps", "2", "--modes", "shared");
        assertThat(half.path("dtype").asString()).isEqualTo("float16");
        assertThat(full.path("dtype").asString()).isEqualTo("float32");
        assertThat(half.path("rows").get(0).path("bytes_per_step").asLong() * 2)
                .isEqualTo(full.path("rows").get(0).path("bytes_per_step").asLong());
        assertThat(half.path("rows").get(0).path("step_ms_median").asDouble()).isPositive();
    }

    @Test
    void profileOpsCountsTheOperatorsOfEveryRowPerLayerAndPass() {
        JsonNode doc = bench("--shape", "deep-tiny", "--workers", "1,3", "--context", "32", "--steps", "2",
                "--modes", "shared,naive", "--profile-ops");
        assertThat(doc.path("layers").asInt()).isEqualTo(32);
        JsonNode rows = doc.path("rows");
        assertThat(rows.size()).isEqualTo(4);
        for (JsonNode r : rows) {
            double ops = r.path("ops_per_layer_step").asDouble();
            assertThat(ops).as("%s", r).isPositive();
            JsonNode byName = r.path("ops_per_layer_step_by_name");
            // Every layer multiplies by its weights at least four times (q/k/v, output, gate/up, down).
            assertThat(byName.path("matmul").asDouble() + byName.path("linear").asDouble()).isGreaterThanOrEqualTo(4);
            double sum = 0;
            for (var e : byName.properties()) {
                sum += e.getValue().asDouble();
            }
            assertThat(sum).isCloseTo(ops, org.assertj.core.data.Offset.offset(0.05));
            // Where the time went: a share per operator that ran, the shares summing to one.
            JsonNode shares = r.path("op_time_share_by_name");
            assertThat(shares.has("matmul")).isTrue();
            double total = 0;
            for (var e : shares.properties()) {
                assertThat(byName.has(e.getKey())).as(e.getKey()).isTrue();
                total += e.getValue().asDouble();
            }
            assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void sessionsRunBatchedAndOneAfterAnotherInTheSameRoundsAndReportTheirRatio() {
        JsonNode doc = bench("--shape", "deep-tiny", "--sessions", "3", "--workers", "2", "--context", "32",
                "--steps", "2", "--modes", "shared", "--profile-ops");
        assertThat(doc.path("sessions").asInt()).isEqualTo(3);
        JsonNode row = doc.path("rows").get(0);
        JsonNode b = row.path("batching");
        assertThat(b.path("sessions").asInt()).isEqualTo(3);
        double batched = b.path("round_ms_batched").asDouble();
        double sequential = b.path("round_ms_sequential").asDouble();
        assertThat(batched).isPositive();
        assertThat(sequential).isPositive();
        // tokens per round: 3 sessions of 2 workers, one token each
        assertThat(b.path("tokens_per_s_batched").asDouble())
                .isCloseTo(6 * 1000 / batched, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(row.path("batching_speedup").asDouble())
                .isCloseTo(sequential / batched, org.assertj.core.data.Offset.offset(0.01));
        // the joint pass's own profile: the shared layers once, each session's attention per session
        double joint = b.path("ops_per_layer_round").asDouble();
        double alone = row.path("ops_per_layer_step").asDouble();
        assertThat(joint).isGreaterThan(alone).isLessThan(3 * alone);
        assertThat(b.path("op_time_share_by_name").has("matmul")).isTrue();
        assertThat(doc.path("summary").get(0).path("batching_speedup").asDouble()).isPositive();
    }

    @Test
    void qwen3EightBShapeReadsItsSixteenGigabytesOfBfloat16WeightsPerPass() {
        var shape = BenchShapes.byName("qwen3-8b");
        assertThat(shape.hiddenSize()).isEqualTo(4096);
        assertThat(shape.numLayers()).isEqualTo(36);
        // Every matrix once (the 8.2e9 parameters less the embedding table, whose few rows a pass reads), 2 bytes each.
        long bytes = EngineBench.weightBytes(shape, ai.djl.ndarray.types.DataType.BFLOAT16);
        assertThat(bytes).isBetween(15_000_000_000L, 16_500_000_000L);
    }
}
