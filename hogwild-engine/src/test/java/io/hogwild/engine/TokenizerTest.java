package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import io.hogwild.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

/** Token ids identical to transformers, for the tiny fixture tokenizer and the real Qwen3 one. */
class TokenizerTest {

    @Test
    void tinyTokenizerEncodesAndDecodesLikeTransformers() {
        JsonNode ref = Golden.read(Golden.dir("tokenizer-reference.json"));
        try (Tokenizer t = Tokenizer.load(Golden.dir("qwen3-tiny"))) {
            for (JsonNode e : ref.path("encode")) {
                assertThat(t.encode(e.path("text").asString())).as(e.path("text").asString())
                        .containsExactly(Golden.ints(e.path("ids")));
            }
            for (JsonNode d : ref.path("decode")) {
                assertThat(t.decode(Golden.ints(d.path("ids")))).isEqualTo(d.path("text").asString());
            }
            for (JsonNode c : ref.path("chat")) {
                // The rendered chat prompt round-trips through the tokenizer unchanged.
                String rendered = c.path("rendered").asString();
                assertThat(t.decode(t.encode(rendered))).isEqualTo(rendered);
            }
        }
    }

    @Test
    void realQwen3TokenizerMatchesTransformers() {
        JsonNode ref = Golden.read(Golden.dir("qwen3-tokenizer").resolve("reference.json"));
        try (Tokenizer t = Tokenizer.load(Golden.qwen3Tokenizer())) {
            int checked = 0;
            for (JsonNode e : ref.path("encode")) {
                assertThat(t.encode(e.path("text").asString())).as(e.path("text").asString())
                        .containsExactly(Golden.ints(e.path("ids")));
                assertThat(t.decode(Golden.ints(e.path("ids")))).isEqualTo(e.path("text").asString());
                checked++;
            }
            for (JsonNode c : ref.path("chat")) {
                assertThat(t.encode(c.path("rendered").asString())).as(c.path("rendered").asString())
                        .containsExactly(Golden.ints(c.path("ids")));
                checked++;
            }
            assertThat(checked).isEqualTo(ref.path("encode").size() + ref.path("chat").size()).isGreaterThan(4);
        }
    }
}
