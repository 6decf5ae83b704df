package io.hogwild.lockstep;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.engine.Golden;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token hygiene and the thinking block from a real checkpoint's files: Qwen3's own tokenizer.json and
 * tokenizer_config.json (golden fixture) and its published generation_config.json EOS ids. Nothing here names the
 * model: every fact comes from the files.
 */
class CheckpointVocabularyTest {

    static final int QWEN3_VOCAB = 151_936;
    static final int ENDOFTEXT = 151_643;
    static final int IM_START = 151_644;
    static final int IM_END = 151_645;
    static final int TOOL_CALL = 151_657;
    static final int THINK = 151_667;
    static final int THINK_END = 151_668;

    @TempDir
    static Path dir;
    static Tokenizer tokenizer;
    static TokenHygiene hygiene;

    @BeforeAll
    static void qwen3Files() throws IOException {
        Files.copy(Golden.qwen3Tokenizer().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(Golden.dir("qwen3-tokenizer").resolve("tokenizer_config.json"),
                dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"bos_token_id\": 151643, \"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643}");
        tokenizer = Tokenizer.load(dir);
        hygiene = CheckpointVocabulary.hygiene(dir, tokenizer, QWEN3_VOCAB, Set.of(IM_END, ENDOFTEXT));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static int id(String text) {
        int[] ids = tokenizer.encode(text);
        assertThat(ids).as("'%s' is one Qwen3 token", text).hasSize(1);
        return ids[0];
    }

    @Test
    void theThinkingTagsAndChatMarkersAreNeverWrittenWhileCollaborating() {
        BitSet always = hygiene.always();
        assertThat(always.get(THINK_END)).as("</think>").isTrue();
        assertThat(always.get(THINK)).as("<think>").isTrue();
        assertThat(always.get(IM_START)).as("<|im_start|>").isTrue();
        assertThat(always.get(TOOL_CALL)).as("<tool_call> is not special: allowed").isFalse();
        assertThat(always.get(id("The"))).isFalse();
    }

    @Test
    void eosIdsEndAWorkerAndAreNotSuppressedEvenThePadOne() {
        assertThat(hygiene.isEos(IM_END)).isTrue();
        assertThat(hygiene.isEos(ENDOFTEXT)).isTrue();
        BitSet afterBlankLine = hygiene.suppressedAfter("Plan:\n\n");
        assertThat(afterBlankLine.get(IM_END)).isFalse();
        assertThat(afterBlankLine.get(ENDOFTEXT)).isFalse();
    }

    @Test
    void sectionHeadersAndThirdNewlinesCannotBeStarted() {
        int hashes = id("###");
        int threeNewlines = id("\n\n\n");
        int blankLine = id("\n\n");
        int newline = id("\n");
        assertThat(hygiene.always().get(threeNewlines)).isTrue();
        assertThat(hygiene.suppressedAfter("**Alice [2]:** So").get(hashes)).as("mid-line '###' is text").isFalse();
        assertThat(hygiene.suppressedAfter("So:\n").get(hashes)).as("'###' at a line start").isTrue();
        assertThat(hygiene.suppressedAfter("So:\n").get(blankLine)).isTrue();
        assertThat(hygiene.suppressedAfter("So:\n").get(newline)).isFalse();
        assertThat(hygiene.suppressedAfter("So:\n\n").get(newline)).isTrue();
        assertThat(hygiene.suppressedAfter("So.").get(blankLine)).isFalse();
    }

    @Test
    void qwen3OpensItsThinkingBlockInThePromptFromItsOwnTemplate() {
        List<String> added = CheckpointVocabulary.addedTokens(dir).stream()
                .map(CheckpointVocabulary.AddedToken::content).toList();
        ModelInfo.ReasoningTags tags = TokenHygiene.reasoningTags(added).orElseThrow();
        assertThat(tags).isEqualTo(new ModelInfo.ReasoningTags("<think>", "</think>"));
        String template = CheckpointVocabulary.readJson(dir.resolve("tokenizer_config.json")).path("chat_template")
                .asString();
        ModelInfo qwen3 = new ModelInfo("qwen3", "Qwen3ForCausalLM", 40_960, QWEN3_VOCAB, template,
                Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>"), tags);

        String prompt = new PromptRenderer().render(qwen3, "What is 2+2?", WorkerNames.first(2), Layout.COMBINED,
                false, true);
        int[] ids = tokenizer.encode(prompt);
        assertThat(prompt).endsWith("<|im_start|>assistant\n<think>\n");
        assertThat(ids[ids.length - 2]).isEqualTo(THINK);
        assertThat(tokenizer.decode(new int[] {ids[ids.length - 1]})).isEqualTo("\n");
    }
}
