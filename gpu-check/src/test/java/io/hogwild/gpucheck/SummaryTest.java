package io.hogwild.gpucheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The verdicts the run's summary gives, from part outputs in the formats the engine and the transformers reference
 * write: float32 within 1e-3; 16 bits within 1.5x of transformers' own distance in that dtype; the speed table with
 * the reference beside each row; the goal row of the 8B shape (4 workers, context 8192).
 */
class SummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SUMMARIZE = GpuCheckScript.SCRIPT.resolveSibling("gpu-check.d/summarize.py");

    @TempDir
    Path tmp;

    @Test
    void verdictsComeFromTheEngineAndTransformersOutputsSideBySide() throws IOException {
        Path work = tmp.resolve("work");
        Path out = tmp.resolve("out");
        Files.createDirectories(work.resolve("parts"));
        Files.createDirectories(work.resolve("logs"));
        Files.createDirectories(out);
        write(work.resolve("env.json"), "{\"parts\": \"golden,golden-reference,bench-qwen3-8b,reference-qwen3-8b,"
                + "bench-qwen3-0.6b\", \"device\": \"gpu\"}");
        for (String part : List.of("golden", "golden-reference", "bench-qwen3-8b", "reference-qwen3-8b")) {
            write(work.resolve("parts/" + part + ".json"), "{\"part\": \"" + part + "\", \"status\": \"ok\", \"seconds\": 3}");
        }
        // A build log whose first error has scrolled far out of the tail.
        write(work.resolve("logs/golden.log"), "+ cmake ...\nsystem.cc:229: error: 'LegacyEvent' was not declared\n"
                + "filler\n".repeat(100) + "line two\n");
        write(out.resolve("golden.json"), """
                {"device": "gpu(0)", "rows": [
                 {"fixture": "qwen3-tiny", "dtype": "float32", "mode": "shared", "sequences_max_diff": 2e-5, "max_diff": 4e-5},
                 {"fixture": "qwen3-tiny", "dtype": "float32", "mode": "naive", "sequences_max_diff": 2e-5, "max_diff": 2e-3},
                 {"fixture": "qwen3-tiny", "dtype": "bfloat16", "mode": "shared", "sequences_max_diff": 0.05,
                  "scenarios_max_diff": 0.07, "max_diff": 0.07},
                 {"fixture": "llama3-tiny", "dtype": "bfloat16", "mode": "shared", "sequences_max_diff": 0.2,
                  "max_diff": 0.2}]}""");
        write(out.resolve("golden-transformers.json"), """
                {"rows": [{"fixture": "qwen3-tiny", "dtype": "bfloat16", "sequences_max_diff": 0.05},
                          {"fixture": "llama3-tiny", "dtype": "bfloat16", "sequences_max_diff": 0.1}]}""");
        write(out.resolve("bench-qwen3-8b.json"), """
                {"device": "gpu(0)", "weight_bytes": 15200000000, "rows": [
                 {"mode": "shared", "workers": 1, "context": 8192, "step_ms_median": 10.0, "tokens_per_s": 100.0,
                  "step_ratio_vs_one_worker": 1.0},
                 {"mode": "shared", "workers": 4, "context": 8192, "step_ms_median": 12.0, "tokens_per_s": 333.3,
                  "step_ratio_vs_one_worker": 1.2}]}""");
        write(work.resolve("batching-qwen3-0.6b.json"), """
                {"device": "gpu(0)", "rows": [
                 {"mode": "shared", "workers": 2, "context": 2048, "step_ms_median": 9.0, "tokens_per_s": 222.2,
                  "batching": {"sessions": 4, "round_ms_batched": 10.0, "round_ms_sequential": 36.0,
                   "tokens_per_s_batched": 800.0, "tokens_per_s_sequential": 222.2}, "batching_speedup": 3.6}]}""");
        write(out.resolve("reference-qwen3-8b.json"), """
                {"rows": [{"workers": 4, "context": 8192, "step_ms_median": 30.0, "tokens_per_s": 133.3},
                          {"workers": 8, "context": 8192, "step_ms_median": 40.0, "tokens_per_s": 200.0}]}""");

        GpuCheckScript.Result r = GpuCheckScript.exec(tmp, Map.of(), List.of("python3", SUMMARIZE.toString(),
                "--work", work.toString(), "--out", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());

        assertThat(s.path("parts")).extracting(p -> p.path("part").asString() + "=" + p.path("status").asString())
                .containsExactly("golden=ok", "golden-reference=ok", "bench-qwen3-8b=ok", "reference-qwen3-8b=ok",
                        "bench-qwen3-0.6b=not run");
        JsonNode golden = s.path("golden");
        assertThat(golden.path("verdict").path("float32_within_1e-3").asBoolean()).isFalse();
        JsonNode qwen = golden.path("sixteen_bit").get(0);
        assertThat(qwen.path("bound").asDouble()).isCloseTo(0.075, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(qwen.path("sequences_ok").asBoolean()).isTrue();
        assertThat(qwen.path("scenarios_ok").asBoolean()).isTrue();
        JsonNode llama = golden.path("sixteen_bit").get(1);
        assertThat(llama.path("sequences_ok").asBoolean()).isFalse();
        assertThat(golden.path("verdict").path("sixteen_bit_within_1.5x_transformers").asBoolean()).isFalse();

        JsonNode rows = s.path("speed").path("qwen3-8b").path("rows");
        assertThat(rows.size()).isEqualTo(3);
        assertThat(rows.get(1).path("engine_speedup_vs_transformers").asDouble()).isEqualTo(2.5);
        assertThat(rows.get(2).has("engine_step_ms")).isFalse();
        assertThat(rows.get(2).path("transformers_step_ms").asDouble()).isEqualTo(40.0);

        JsonNode goal = s.path("goal_qwen3_8b_4_workers_8192");
        assertThat(goal.path("step_ms").asDouble()).isEqualTo(12.0);
        assertThat(goal.path("step_within_15ms").asBoolean()).isTrue();
        assertThat(goal.path("ratio_within_1.3").asBoolean()).isTrue();
        assertThat(goal.path("faster_than_transformers").asBoolean()).isTrue();
        JsonNode batching = s.path("batching").path("qwen3-0.6b");
        assertThat(batching.path("sessions").asInt()).isEqualTo(4);
        assertThat(batching.path("round_ms_sequential").asDouble()).isEqualTo(36.0);
        assertThat(batching.path("batching_speedup").asDouble()).isEqualTo(3.6);
        assertThat(batching.path("speedup_at_least_3").asBoolean()).isTrue();
        assertThat(Files.readString(out.resolve("logs.txt"))).contains("===== golden (103 lines",
                "first error lines before the tail", "'LegacyEvent' was not declared", "line two");
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }
}
