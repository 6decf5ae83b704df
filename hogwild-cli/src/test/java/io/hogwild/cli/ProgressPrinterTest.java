package io.hogwild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {

    private final ObjectMapper json = new ObjectMapper();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private void event(String sseName, String data) throws Exception {
        printer.accept(sseName, json.readTree(data));
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsEachFinishedStepOnOneLineAndTheAnswerAtTheEnd() throws Exception {
        event("tokens", "{\"type\":\"TOKENS\",\"worker\":\"Alice\",\"step\":1,\"text\":\"Let\"}");
        event("step_finished", "{\"type\":\"STEP_FINISHED\",\"worker\":\"Alice\",\"step\":1,"
                + "\"text\":\"I add them.\\n\\n  2+3 = 5.\",\"data\":{\"tokens\":9}}");
        event("final_answer", "{\"type\":\"FINAL_ANSWER\",\"worker\":\"Bob\",\"step\":2,\"text\":\"5\"}");
        event("run_ended", "{\"type\":\"RUN_ENDED\",\"data\":{\"status\":\"FINISHED\",\"finish_reason\":\"answer\"}}");

        assertThat(printer.ended()).isTrue();
        assertThat(printer.finish()).isZero();
        assertThat(printed()).isEqualTo("Alice [1]: I add them. 2+3 = 5.\nAnswer: 5\n");
    }

    @Test
    void takesTheTypeFromTheSseEventNameWhenTheJsonHasNone() throws Exception {
        event("step_finished", "{\"worker\":\"Bob\",\"step\":3,\"text\":\"ok\"}");
        assertThat(printed()).isEqualTo("Bob [3]: ok\n");
    }

    @Test
    void sayNoAnswerWhenTheBudgetRanOut() throws Exception {
        event("budget_exhausted", "{\"type\":\"BUDGET_EXHAUSTED\",\"worker\":\"Alice\",\"step\":4}");
        event("run_ended", "{\"type\":\"RUN_ENDED\",\"data\":{\"status\":\"FINISHED\",\"finish_reason\":\"budget\"}}");
        assertThat(printer.finish()).isZero();
        assertThat(printed()).isEqualTo("Alice: token budget used up, asked for the answer\n"
                + "No answer (budget exhausted)\n");
    }

    @Test
    void reportsAFailedRunWithItsReasonAndExitCodeOne() throws Exception {
        event("run_ended", "{\"type\":\"RUN_ENDED\",\"text\":\"GPU worker\\ndisappeared\","
                + "\"data\":{\"status\":\"FAILED\"}}");
        assertThat(printer.finish()).isEqualTo(1);
        assertThat(printed()).isEqualTo("Run failed: GPU worker disappeared\n");
    }

    @Test
    void reportsACancelledRun() throws Exception {
        event("run_ended", "{\"type\":\"RUN_ENDED\",\"data\":{\"status\":\"CANCELLED\",\"finish_reason\":\"cancelled\"}}");
        assertThat(printer.finish()).isEqualTo(1);
        assertThat(printed()).isEqualTo("Run cancelled\n");
    }

    @Test
    void dropsTheStepPrefixAndControlCharacters() {
        String line = ProgressPrinter.stepLine("Alice", json.getNodeFactory().numberNode(2),
                "**Alice [2]:** ab\u0001c\u0018 d\n\nTime is up.");
        assertThat(line).isEqualTo("Alice [2]: ab c d Time is up.");
    }

    @Test
    void shortensLongStepsToOneReadableLine() {
        String line = ProgressPrinter.stepLine("Carol", json.getNodeFactory().numberNode(12), "x ".repeat(1000));
        assertThat(line).startsWith("Carol [12]: x x").endsWith("…").doesNotContain("\n");
        assertThat(line.length()).isLessThanOrEqualTo("Carol [12]: ".length() + ProgressPrinter.MAX_STEP_CHARS);
    }
}
