package io.hogwild.collaboration.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepTextTest {

    @Test
    void blankLineAfterSentenceEndsStep() {
        assertThat(StepText.endsStep("I add them.\n\n", 11)).isTrue();
        assertThat(StepText.endsStep("Really?\n\n", 8)).isTrue(); // "\n" then "\n"
        assertThat(StepText.endsStep("Done!  \n\n", 7)).isTrue(); // trailing spaces before the blank line
        assertThat(StepText.endsStep("**The sum is 4.**\n\n", 17)).isTrue();
        assertThat(StepText.endsStep("(as shown above.)\n\n", 17)).isTrue();
        assertThat(StepText.endsStep("$x = 2.$\n\n", 8)).isTrue();
    }

    @Test
    void blankLineWithoutSentenceEndDoesNotEndStep() {
        assertThat(StepText.endsStep("Plan:\n\n", 5)).isFalse();
        assertThat(StepText.endsStep("## Heading\n\n", 10)).isFalse();
        assertThat(StepText.endsStep("one line.\nnext", 9)).isFalse();
        assertThat(StepText.endsStep("$x$\n\n", 3)).isFalse();
    }

    @Test
    void onlyNewlyCompletedBlankLinesCount() {
        // the blank line was already there before the new text: judged then, not again
        assertThat(StepText.endsStep("Done.\n\nmore", 7)).isFalse();
    }

    @Test
    void blankLinesInsideCodeFencesDoNotEndStep() {
        String code = "Code:\n```\nx = 1.\n\n";
        assertThat(StepText.endsStep(code, code.length() - 2)).isFalse();
        String closed = "```\nx = 1\n```\nThat works.\n\n";
        assertThat(StepText.endsStep(closed, closed.length() - 2)).isTrue();
    }

    @Test
    void boxedAnswerNeedsBalancedBracesAndIsReportedWhenCompleted() {
        assertThat(StepText.boxedCompletedIn("so \\boxed{\\frac{1}{2}", 0)).isEmpty();
        String done = "so \\boxed{\\frac{1}{2}}";
        assertThat(StepText.boxedCompletedIn(done, done.length() - 1)).contains("\\frac{1}{2}");
        // completed earlier than the new text: not reported again
        assertThat(StepText.boxedCompletedIn("\\boxed{4} and more", 12)).isEmpty();
        assertThat(StepText.boxedCompletedIn("\\boxed{\\{1\\}}", 12)).contains("\\{1\\}");
    }
}
