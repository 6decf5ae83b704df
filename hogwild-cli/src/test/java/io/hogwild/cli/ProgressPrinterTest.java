package io.hogwild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.BudgetExhausted;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.RunEnded;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private void event(EventData data) {
        printer.accept(new RunEvent("1-0", "r-1", 0, null, null, data));
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsEachFinishedStepOnOneLineAndTheAnswerAtTheEnd() {
        event(new Tokens("Alice", 1, List.of(7), "Let", false));
        event(new StepFinished("Alice", 1, "I add them.\n\n  2+3 = 5.", 9, List.of(), "separator", null));
        event(new FinalAnswer("5", "Bob", 2));
        event(new RunEnded(RunStatus.FINISHED, "answer", null));

        assertThat(printer.ended()).isTrue();
        assertThat(printer.finish()).isZero();
        assertThat(printed()).isEqualTo("Alice [1]: I add them. 2+3 = 5.\nAnswer: 5\n");
    }

    @Test
    void ignoresAnEventOfATypeItDoesNotKnow() {
        event(null);
        assertThat(printed()).isEmpty();
        assertThat(printer.ended()).isFalse();
    }

    @Test
    void sayNoAnswerWhenTheBudgetRanOut() {
        event(new BudgetExhausted("Alice", 4, 256));
        event(new RunEnded(RunStatus.FINISHED, "budget", null));
        assertThat(printer.finish()).isZero();
        assertThat(printed()).isEqualTo("Alice: token budget used up\n"
                + "No answer (budget exhausted)\n");
    }

    @Test
    void reportsAFailedRunWithItsReasonAndExitCodeOne() {
        event(new RunEnded(RunStatus.FAILED, "error", "GPU worker\ndisappeared"));
        assertThat(printer.finish()).isEqualTo(1);
        assertThat(printed()).isEqualTo("Run failed: GPU worker disappeared\n");
    }

    @Test
    void reportsTheSessionsErrorWhenTheRunEndedWithoutAReason() {
        event(new EventData.Error("out of memory", "java.lang.OutOfMemoryError"));
        event(new RunEnded(RunStatus.FAILED, "error", null));
        assertThat(printer.finish()).isEqualTo(1);
        assertThat(printed()).isEqualTo("Run failed: out of memory\n");
    }

    @Test
    void reportsACancelledRun() {
        event(new RunEnded(RunStatus.CANCELLED, "cancelled", null));
        assertThat(printer.finish()).isEqualTo(1);
        assertThat(printed()).isEqualTo("Run cancelled\n");
    }

    @Test
    void dropsTheStepPrefixAndControlCharacters() {
        String line = ProgressPrinter.stepLine("Alice", 2, "**Alice [2]:** ab\u0001c\u0018 d\n\nTime is up.");
        assertThat(line).isEqualTo("Alice [2]: ab c d Time is up.");
    }

    @Test
    void shortensLongStepsToOneReadableLine() {
        String line = ProgressPrinter.stepLine("Carol", 12, "x ".repeat(1000));
        assertThat(line).startsWith("Carol [12]: x x").endsWith("…").doesNotContain("\n");
        assertThat(line.length()).isLessThanOrEqualTo("Carol [12]: ".length() + ProgressPrinter.MAX_STEP_CHARS);
    }
}
