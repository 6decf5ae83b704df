package io.hogwild.collaboration.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.worker.ModelInfo.ReasoningTags;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenHygieneTest {

    // ids:                 0        1      2      3       4        5         6       7        8     9       10
    static final String[] VOCAB = {"<eos>", "a", "#", "###", " ##", "\n", "\n\n", "\n\n\n", "\n#", ".\n\n", "<pad>"};

    private final TokenHygiene hygiene = TokenHygiene.of(VOCAB, Set.of(0, 10), List.of(10, 2_000));

    @Test
    void tokensThatWouldStartAHeaderOrAThirdNewlineAreSuppressedWhereTheyWould() {
        assertThat(hygiene.suppressedAfter("**Alice [1]:** a").stream().boxed().toList()).containsExactly(7, 8);
        assertThat(hygiene.suppressedAfter("a list:\n").stream().boxed().toList()).containsExactly(2, 3, 4, 6, 7, 8);
        assertThat(hygiene.suppressedAfter("Plan:\n\n").stream().boxed().toList())
                .containsExactly(2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void eosIsNeverSuppressedEvenWhenItIsThePadToken() {
        assertThat(hygiene.isEos(10)).isTrue();
        assertThat(hygiene.suppressedAfter("x\n\n").get(10)).isFalse();
        float[] logits = new float[VOCAB.length];
        hygiene.suppress(logits, "a\n");
        assertThat(logits[3]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(logits[1]).isZero();
        assertThat(logits[0]).isZero();
    }

    @Test
    void reasoningTagsArePairsOfAddedTokensAboutThinking() {
        assertThat(TokenHygiene.reasoningTags(List.of("<|im_start|>", "<think>", "</think>", "<tool_call>",
                "</tool_call>"))).contains(new ReasoningTags("<think>", "</think>"));
        assertThat(TokenHygiene.reasoningTags(List.of("<tool_call>", "</tool_call>", "<think>"))).isEmpty();
    }
}
