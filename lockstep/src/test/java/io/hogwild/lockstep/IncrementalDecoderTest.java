package io.hogwild.lockstep;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.engine.Golden;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalDecoderTest {

    @Test
    void multiByteCharactersComeOutWholeAndDeltasAddUp() {
        Tokenizer tokenizer = Golden.model("qwen3-tiny").tokenizer();
        String text = "Café au lait, 2×3 = 6 ✓ and 🙂 done. " + "long text ".repeat(10);
        int[] ids = tokenizer.encode(text);
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        List<String> deltas = new ArrayList<>();
        for (int id : ids) {
            deltas.add(decoder.push(id));
        }
        assertThat(String.join("", deltas)).isEqualTo(text);
        assertThat(deltas).noneMatch(d -> d.contains("\uFFFD"));
        // the tiny byte-level vocabulary splits these characters over several tokens: some deltas were held back
        assertThat(deltas).contains("");
        assertThat(ids.length).isGreaterThan(text.codePointCount(0, text.length()) / 2);
    }
}
