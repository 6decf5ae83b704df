package io.hogwild.collaboration.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SelfCheckAnswerTest {

    @Test
    void theFirstWordDecidesOnceItIsComplete() {
        assertThat(SelfCheckAnswer.classify("No", false)).isNull();
        assertThat(SelfCheckAnswer.classify("No,", false)).isEqualTo("no");
        assertThat(SelfCheckAnswer.classify("No", true)).isEqualTo("no");
        assertThat(SelfCheckAnswer.classify(" **Yes.** Bob has it", false)).isEqualTo("yes");
        assertThat(SelfCheckAnswer.classify("Nope, I", false)).isEqualTo("other");
        assertThat(SelfCheckAnswer.classify("Maybe.", false)).isEqualTo("other");
        assertThat(SelfCheckAnswer.classify("  ", false)).isNull();
        assertThat(SelfCheckAnswer.classify(" 42\n\n", true)).isEqualTo("other");
    }
}
