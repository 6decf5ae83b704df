package io.hogwild.collaboration.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StepTextTest {

    @Test
    void aBlankLineAfterASentenceEndsTheStep() {
        assertThat(StepText.endsStep("I add them.\n\n")).isTrue();
        assertThat(StepText.endsStep("Really?\n\n")).isTrue();
        assertThat(StepText.endsStep("Done!  \n\n")).isTrue();
        assertThat(StepText.endsStep("**The sum is 4.**\n\n")).isTrue();
        assertThat(StepText.endsStep("(as shown above.)\n\n")).isTrue();
        assertThat(StepText.endsStep("$x = 2.$\n\n")).isTrue();
        assertThat(StepText.endsStep("He said \u201cstop.\u201d\n\n")).isTrue();
        assertThat(StepText.endsStep("Wait\u2026\n\n")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u8BA1\u7B97\u5B8C\u6210\u3002", "\u4E3A\u4EC0\u4E48\uFF1F", "\u597D\uFF01",
            "\u0647\u0630\u0627 \u0635\u062D\u064A\u062D\u061F", "\u06CC\u06C1 \u0679\u06BE\u06CC\u06A9 \u06C1\u06D2\u06D4",
            "\u092F\u0939 \u0938\u0939\u0940 \u0939\u0948\u0964", "\u0938\u092E\u093E\u092A\u094D\u0924\u0965",
            "\u12A0\u12CE\u1362", "\u1325\u12EB\u1244\u1367", "\u0531\u0575\u0578\u0589", "\u1014\u102C\u104B",
            "\u1785\u1794\u17D4", "\u300C\u5B8C\u4E86\u3002\u300D"})
    void sentenceTerminatorsOfOtherScriptsEndTheStepToo(String sentence) {
        assertThat(StepText.endsStep(sentence + "\n\n")).isTrue();
        assertThat(StepText.endsStep(sentence + "\n")).isFalse();
    }

    @Test
    void aBlankLineWithoutASentenceEndDoesNotEndTheStep() {
        assertThat(StepText.endsStep("Plan:\n\n")).isFalse();
        assertThat(StepText.endsStep("## Heading\n\n")).isFalse();
        assertThat(StepText.endsStep("one line.\nnext")).isFalse();
        assertThat(StepText.endsStep("$x$\n\n")).isFalse();
        assertThat(StepText.endsStep("Done.\n\nmore")).isFalse();
    }

    @Test
    void aCompleteBoxedAnswerBeforeTheBlankLineEndsTheStep() {
        assertThat(StepText.endsStep("So \\boxed{42}\n\n")).isTrue();
        assertThat(StepText.endsStep("So $\\boxed{\\frac{1}{2}}$\n\n")).isTrue();
        assertThat(StepText.endsStep("So \\boxed{}\n\n")).isFalse();
        assertThat(StepText.endsStep("Let f = \\{x\\}\n\n")).isFalse();
    }

    @Test
    void blankLinesInsideFencesOrDisplayMathDoNotEndTheStep() {
        assertThat(StepText.endsStep("Code:\n```\nx = 1.\n\n")).isFalse();
        assertThat(StepText.endsStep("```\nx = 1\n```\nThat works.\n\n")).isTrue();
        assertThat(StepText.endsStep("Code:\n~~~\nx = 1.\n\n")).isFalse();
        assertThat(StepText.endsStep("~~~\nx\n~~~\nOk.\n\n")).isTrue();
        assertThat(StepText.endsStep("We get\n$$\nx = 2.\n\n")).isFalse();
        assertThat(StepText.endsStep("We get $$x = 2$$ as claimed.\n\n")).isTrue();
    }

    @Test
    void aCutStepIsClosedWithExactlyOneBlankLineAfterClosingOpenBlocks() {
        assertThat(StepText.closingFor("Let me compute the")).isEqualTo("\n\n");
        assertThat(StepText.closingFor("A list:\n")).isEqualTo("\n");
        assertThat(StepText.closingFor("Plan:\n\n")).isEmpty();
        assertThat(StepText.closingFor("Code:\n```\nx = 1")).isEqualTo("\n```\n\n");
        assertThat(StepText.closingFor("Code:\n```\nx = 1\n")).isEqualTo("```\n\n");
        assertThat(StepText.closingFor("$$\n\\sum x")).isEqualTo("\n$$\n\n");
        String cut = "Code:\n~~~\nsee $$ x\n";
        assertThat(StepText.closingFor(cut)).isEqualTo("$$\n~~~\n\n");
        assertThat(StepText.openBlocks(cut + StepText.closingFor(cut), (cut + StepText.closingFor(cut)).length()))
                .isEmpty();
    }

    @Test
    void validBoxedAnswersHaveBalancedBracesAndContent() {
        assertThat(StepText.lastValidBoxed("so \\boxed{\\frac{1}{2}")).isEmpty();
        assertThat(StepText.lastValidBoxed("so \\boxed{\\frac{1}{2}}")).contains("\\frac{1}{2}");
        assertThat(StepText.lastValidBoxed("\\boxed{\\{1\\}}")).contains("\\{1\\}");
        assertThat(StepText.validBoxed("\\boxed{3} then \\boxed{ } and \\boxed{ 4 }")).containsExactly("3", "4");
        assertThat(StepText.lastValidBoxed("\\boxed{3} then \\boxed{4")).contains("3");
    }
}
