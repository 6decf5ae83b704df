package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import tools.jackson.databind.JsonNode;
import io.hogwild.engine.cli.ScenarioReplay;
import io.hogwild.engine.attention.AttentionMode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of every golden shared-cache scenario, in both attention modes and both compute dtypes, through the real
 * session code.
 */
class ScenarioReplayTest {

    static Stream<Arguments> scenarios() {
        return Golden.MODELS.stream().flatMap(model -> Golden.DTYPES.stream().flatMap(dtype ->
                Stream.of(AttentionMode.values()).flatMap(mode -> {
                    Stream.Builder<Arguments> b = Stream.builder();
                    for (JsonNode sc : Golden.expected(model).path("hogwild_scenarios")) {
                        b.add(Arguments.of(model, sc.path("name").asString(), mode, dtype));
                    }
                    return b.build();
                })));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("scenarios")
    void everyOpMatchesTheReference(String model, String scenarioName, AttentionMode mode, DataType dtype) {
        JsonNode scenario = null;
        for (JsonNode sc : Golden.expected(model).path("hogwild_scenarios")) {
            if (sc.path("name").asString().equals(scenarioName)) {
                scenario = sc;
            }
        }
        JsonNode result = ScenarioReplay.replay(Golden.model(model, dtype).transformer(), scenario, mode);
        JsonNode expectedOps = scenario.path("ops");
        JsonNode ops = result.path("ops");
        assertThat(ops.size()).isEqualTo(expectedOps.size());
        int checked = 0;
        for (int i = 0; i < ops.size(); i++) {
            JsonNode exp = expectedOps.get(i);
            if (exp.path("op").asString().equals("promote")) {
                assertThat(ops.get(i).isEmpty()).as("op %d is a promote", i).isTrue();
                continue;
            }
            for (var e : exp.path("expected_logits").properties()) {
                JsonNode got = ops.get(i).path("logits").path(e.getKey());
                float[][] rows = new float[got.size()][];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = new float[got.get(r).size()];
                    for (int c = 0; c < rows[r].length; c++) {
                        rows[r][c] = (float) got.get(r).get(c).asDouble();
                    }
                }
                assertThat(Golden.maxDiff(e.getValue(), rows)).as("op %d worker %s", i, e.getKey())
                        .isLessThanOrEqualTo(Golden.scenarioTolerance(dtype));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(0);
    }
}
