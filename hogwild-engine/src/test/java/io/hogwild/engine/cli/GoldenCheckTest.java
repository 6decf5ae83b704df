package io.hogwild.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.engine.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code hogwild engine golden}, the check the GPU kit runs there, here on the CPU: every fixture of the golden
 * folder, float32 and float16, both attention modes, within the suite's own tolerances.
 */
class GoldenCheckTest {

    private static final String FIXTURES = Golden.dir("qwen3-tiny").getParent().toString();

    @Test
    void everyFixtureDtypeAndModeIsWithinTheSuitesTolerances() throws Exception {
        EngineCliTest.Result r = EngineCliTest.run("golden", "--fixtures", FIXTURES, "--dtypes", "float32,float16");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode out = r.json();
        assertThat(out.path("device").asString()).isEqualTo("cpu()");
        List<String> seen = new ArrayList<>();
        for (JsonNode row : out.path("rows")) {
            String fixture = row.path("fixture").asString();
            String dtype = row.path("dtype").asString();
            seen.add(fixture + "/" + dtype + "/" + row.path("mode").asString());
            assertThat(row.path("sequences").size()).as(fixture).isGreaterThan(0);
            if (dtype.equals("float32")) {
                assertThat(row.path("max_diff").asDouble()).as(fixture).isLessThanOrEqualTo(Golden.TOLERANCE);
                assertThat(row.path("within_float32_tolerance").asBoolean()).isTrue();
            } else {
                assertThat(row.path("sequences_max_diff").asDouble()).as(fixture)
                        .isLessThanOrEqualTo(Golden.TOLERANCE_16_BIT);
                assertThat(row.path("scenarios_max_diff").asDouble(0)).as(fixture)
                        .isLessThanOrEqualTo(Golden.SCENARIO_TOLERANCE_16_BIT);
                assertThat(row.has("within_float32_tolerance")).isFalse();
            }
            if (!fixture.endsWith("-bf16")) {
                assertThat(row.path("scenario_outputs").asInt()).as(fixture).isGreaterThan(0);
            }
        }
        // Four checkpoints (the tokenizer-only folder is no fixture), two dtypes, two modes.
        assertThat(seen).hasSize(16).doesNotHaveDuplicates()
                .contains("llama3-tiny/float16/naive", "qwen3-tiny-bf16/float32/shared");
    }

    @Test
    void oneFixtureOneModeOnRequest() throws Exception {
        EngineCliTest.Result r = EngineCliTest.run("golden", "--fixtures", FIXTURES, "--models", "qwen2-tiny",
                "--modes", "shared");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode rows = r.json().path("rows");
        assertThat(rows.size()).isEqualTo(1);
        assertThat(rows.get(0).path("fixture").asString()).isEqualTo("qwen2-tiny");
        assertThat(rows.get(0).path("dtype").asString()).isEqualTo("float32");
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        EngineCliTest.Result missing = EngineCliTest.run("golden", "--fixtures", "/nonexistent/golden");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).isEqualTo("hogwild engine golden: fixtures folder not found: /nonexistent/golden");

        EngineCliTest.Result none = EngineCliTest.run("golden", "--fixtures", FIXTURES, "--models", "gpt-nothing");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("no golden fixture").doesNotContain("\n ");

        EngineCliTest.Result bf16 = EngineCliTest.run("golden", "--fixtures", FIXTURES, "--dtypes", "bfloat16");
        assertThat(bf16.code()).isEqualTo(2);
        assertThat(bf16.err()).contains("bfloat16 runs on a GPU only");
    }
}
