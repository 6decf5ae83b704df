package io.hogwild.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.hogwild.engine.Golden;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact CLI contract: one JSON document on stdout, or one line on stderr and a non-zero exit code. */
class EngineCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = EngineCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
        }
    }

    private static String model(String name) {
        return Golden.dir(name).toString();
    }

    @Test
    void logitsPrintsOneRowPerPosition() throws Exception {
        JsonNode seq = Golden.expected("llama3-tiny").path("sequences").path("short");
        StringBuilder ids = new StringBuilder();
        seq.path("ids").forEach(i -> ids.append(ids.length() == 0 ? "" : ",").append(i.asInt()));
        Result r = run("logits", "--model", model("llama3-tiny"), "--ids", ids.toString());
        assertThat(r.code()).isZero();
        JsonNode logits = r.json().path("logits");
        assertThat(logits.size()).isEqualTo(seq.path("ids").size());
        float[][] rows = JSON.treeToValue(logits, float[][].class);
        assertThat(Golden.maxDiff(seq.path("logits"), rows)).isLessThanOrEqualTo(Golden.TOLERANCE);
    }

    @Test
    void logitsInFloat16StayWithinTheSixteenBitToleranceOfTheReferences() throws Exception {
        JsonNode seq = Golden.expected("qwen3-tiny").path("sequences").path("short");
        StringBuilder ids = new StringBuilder();
        seq.path("ids").forEach(i -> ids.append(ids.length() == 0 ? "" : ",").append(i.asInt()));
        Result r = run("logits", "--model", model("qwen3-tiny"), "--ids", ids.toString(), "--dtype", "float16");
        assertThat(r.code()).isZero();
        float[][] rows = JSON.treeToValue(r.json().path("logits"), float[][].class);
        assertThat(Golden.maxDiff(seq.path("logits"), rows)).isLessThanOrEqualTo(Golden.TOLERANCE_16_BIT);
    }

    @Test
    void generateGreedyPrintsTheNewTokens() throws Exception {
        JsonNode g = Golden.expected("qwen2-tiny").path("greedy");
        StringBuilder ids = new StringBuilder();
        g.path("prompt").forEach(i -> ids.append(ids.length() == 0 ? "" : ",").append(i.asInt()));
        Result r = run("generate", "--model", model("qwen2-tiny"), "--ids", ids.toString(), "--max-new-tokens", "3",
                "--greedy");
        assertThat(r.code()).isZero();
        JsonNode tokens = r.json().path("new_tokens");
        assertThat(tokens.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(tokens.get(i).asInt()).isEqualTo(g.path("new_tokens").get(i).asInt());
        }
    }

    @Test
    void generateFromAPromptWithSeededSamplingIsReproducible() throws Exception {
        String[] args = {"generate", "--model", model("qwen3-tiny"), "--prompt", "Hello, Bob!", "--max-new-tokens", "8",
                "--temperature", "0.8", "--top-p", "0.9", "--top-k", "50", "--seed", "11", "--ignore-eos"};
        Result a = run(args);
        Result b = run(args);
        assertThat(a.code()).isZero();
        assertThat(a.json().path("new_tokens").size()).isEqualTo(8);
        assertThat(a.json().path("text").isTextual()).isTrue();
        assertThat(a.out()).isEqualTo(b.out());
    }

    @Test
    void replayPrintsOneEntryPerOpWithEmptyObjectsForPromote() throws Exception {
        Result r = run("replay", "--model", model("qwen3-tiny"), "--scenarios",
                Golden.dir("qwen3-tiny").resolve("expected.json").toString(), "--mode", "naive");
        assertThat(r.code()).isZero();
        JsonNode scenarios = r.json().path("hogwild_scenarios");
        JsonNode expected = Golden.expected("qwen3-tiny").path("hogwild_scenarios");
        assertThat(scenarios.size()).isEqualTo(expected.size());
        for (int s = 0; s < expected.size(); s++) {
            assertThat(scenarios.get(s).path("name").asString()).isEqualTo(expected.get(s).path("name").asString());
            for (int o = 0; o < expected.get(s).path("ops").size(); o++) {
                JsonNode op = scenarios.get(s).path("ops").get(o);
                if (expected.get(s).path("ops").get(o).path("op").asString().equals("promote")) {
                    assertThat(op.isObject() && op.isEmpty()).isTrue();
                } else {
                    assertThat(op.path("logits").isObject()).isTrue();
                }
            }
        }
    }

    @Test
    void replayAcceptsOpsWithoutExpectedLogits() throws Exception {
        Path f = tmp.resolve("mine.json");
        Files.writeString(f, "{\"hogwild_scenarios\": [{\"name\": \"mine\", \"blocks\": [\"p\", \"s\"],"
                + " \"views\": {\"init\": [\"p\"], \"a\": [\"p\", \"s\"], \"b\": [\"p\", \"s\"]},"
                + " \"ops\": [{\"op\": \"write\", \"writes\": [{\"worker\": \"init\", \"tokens\": [5, 6, 7]}]},"
                + " {\"op\": \"write\", \"writes\": [{\"worker\": \"a\", \"tokens\": [8]}, {\"worker\": \"b\", \"tokens\": [9, 10]}]}]}]}");
        Result r = run("replay", "--model", model("qwen3-tiny"), "--scenarios", f.toString());
        assertThat(r.code()).isZero();
        JsonNode ops = r.json().path("hogwild_scenarios").get(0).path("ops");
        assertThat(ops.get(1).path("logits").path("b").size()).isEqualTo(2);
        assertThat(ops.get(1).path("logits").path("a").get(0).size()).isEqualTo(512);
    }

    @Test
    void badInputGivesOneLineAndANonZeroExitCode() throws Exception {
        Path notJson = tmp.resolve("bad.json");
        Files.writeString(notJson, "{oops");
        Path unknownBlock = tmp.resolve("unknown.json");
        Files.writeString(unknownBlock, "{\"hogwild_scenarios\": [{\"name\": \"x\", \"blocks\": [\"p\"],"
                + " \"views\": {\"a\": [\"p\", \"q\"]}, \"ops\": []}]}");
        String[][] cases = {
            {"logits", "--ids", "1,2"},
            {"logits", "--model", model("qwen3-tiny"), "--ids", "1,x"},
            {"logits", "--model", model("qwen3-tiny"), "--ids", "1,99999"},
            {"logits", "--model", tmp.resolve("nope").toString(), "--ids", "1"},
            {"logits", "--model", model("qwen3-tiny"), "--ids", "1", "--mode", "fast"},
            {"logits", "--model", model("qwen3-tiny"), "--ids", "1", "--dtype", "float8"},
            {"logits", "--model", model("qwen3-tiny"), "--ids", "1", "--dtype", "bfloat16"},
            {"bench", "--shape", "tiny", "--dtype", "int8"},
            {"generate", "--model", model("qwen3-tiny"), "--ids", "1", "--temperature", "-1"},
            {"generate", "--model", model("qwen3-tiny"), "--ids", "1", "--max-new-tokens"},
            {"replay", "--model", model("qwen3-tiny"), "--scenarios", notJson.toString()},
            {"replay", "--model", model("qwen3-tiny"), "--scenarios", unknownBlock.toString()},
            {"bench", "--shape", "gpt-9"},
            {"bench", "--workers", "0"},
            {"frobnicate"},
            {"logits", "--model", model("qwen3-tiny"), "--wat", "1"},
        };
        for (String[] c : cases) {
            Result r = run(c);
            assertThat(r.code()).as(String.join(" ", c)).isNotZero();
            assertThat(r.out()).as(String.join(" ", c)).isEmpty();
            String lastLine = r.err().strip().lines().reduce((a, b) -> b).orElse("");
            assertThat(lastLine).as(String.join(" ", c)).startsWith("hogwild engine").doesNotContain("Exception\n");
            assertThat(r.err()).as(String.join(" ", c)).doesNotContain("\tat ");
        }
    }
}
