package io.hogwild.demo.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code ./hogwild demo-model batching} with the bundled model: the same sessions alone and in joint passes give the
 * same events and the right answers, in far fewer passes; the CLI prints its rounds as JSON.
 */
class BatchingComparisonTest {

    private static final Path DEMO = Path.of("..", "models", "hogwild-demo");

    @Test
    void sessionsRunAloneAndTogetherEmitTheSameEventsAndAnswerRight() {
        List<BatchingComparison.Round> rounds = BatchingComparison.run(
                new BatchingComparison.Options(DEMO, 3, 2, 1, 16), new PrintStream(OutputStream.nullOutputStream()));
        assertThat(rounds).singleElement().satisfies(r -> {
            assertThat(r.same_events()).isTrue();
            assertThat(r.right()).isEqualTo(3);
            assertThat(r.generated_tokens()).isPositive();
            // Three sessions that run side by side need about a third of the passes they need one after another.
            assertThat(r.joint_passes()).isLessThan(r.lockstep_passes() / 2);
            assertThat(r.sequential_tokens_per_s()).isPositive();
            assertThat(r.batched_tokens_per_s()).isPositive();
        });
    }

    @Test
    void theCommandPrintsItsRoundsAsJsonAndRefusesBadOptionsInOneLine() throws Exception {
        DemoCliEvalTest.Result ok = DemoCliEvalTest.cli("batching", "--model", DEMO.toString(), "--problems", "2",
                "--rounds", "1");
        assertThat(ok.exit()).as(ok.stderr()).isZero();
        JsonNode round = new ObjectMapper().readTree(ok.stdout()).path("rounds").path(0);
        for (String field : List.of("sequential_seconds", "batched_seconds", "generated_tokens",
                "sequential_tokens_per_s", "batched_tokens_per_s", "speedup", "lockstep_passes", "joint_passes",
                "right", "same_events")) {
            assertThat(round.has(field)).as(field).isTrue();
        }
        assertThat(round.path("same_events").asBoolean()).isTrue();

        DemoCliEvalTest.Result bad = DemoCliEvalTest.cli("batching", "--workers", "0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.stderr().strip().lines()).last().asString().startsWith("hogwild: --workers");
    }
}
