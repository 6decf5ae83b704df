package io.hogwild.chattemplate;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every conversation in the transformers reference files must render character for character:
 * Qwen3's real template (thinking support, namespace, reversed slicing, string methods) and the
 * tiny ChatML template of the qwen3-tiny fixture.
 */
class ChatTemplateGoldenTest {

    private static final String QWEN3_CONFIG = "golden/qwen3-tokenizer/tokenizer_config.json";
    private static final String QWEN3_REFERENCE = "golden/qwen3-tokenizer/reference.json";
    private static final String TINY_CONFIG = "golden/qwen3-tiny/tokenizer_config.json";
    private static final String TINY_REFERENCE = "golden/tokenizer-reference.json";

    static Stream<Arguments> conversations() {
        List<Arguments> cases = new ArrayList<>();
        addCases(cases, "qwen3", QWEN3_CONFIG, QWEN3_REFERENCE);
        addCases(cases, "qwen3-tiny", TINY_CONFIG, TINY_REFERENCE);
        return cases.stream();
    }

    private static void addCases(List<Arguments> cases, String label, String config, String reference) {
        JsonNode chats = GoldenFixtures.json(reference).get("chat");
        for (int i = 0; i < chats.size(); i++) {
            cases.add(Arguments.of(label + " #" + i, config, chats.get(i)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void rendersLikeTransformers(String name, String config, JsonNode chat) throws IOException {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(GoldenFixtures.path(config));
        Map<String, Object> kwargs = chat.has("kwargs")
                ? GoldenFixtures.JSON.convertValue(chat.get("kwargs"), new TypeReference<Map<String, Object>>() { })
                : Map.of();

        String rendered = template.render(GoldenFixtures.messages(chat.get("messages")),
                chat.get("add_generation_prompt").asBoolean(), kwargs);

        assertThat(rendered).isEqualTo(chat.get("rendered").asString());
    }

    @Test
    void referenceFilesCoverAllFourQwen3ConversationsAndBothTinyOnes() {
        // Guards against a fixture being emptied or truncated, which would let the test above pass vacuously.
        assertThat(GoldenFixtures.json(QWEN3_REFERENCE).get("chat")).hasSize(4);
        assertThat(GoldenFixtures.json(TINY_REFERENCE).get("chat")).hasSize(2);
        assertThat(conversations()).hasSize(6);
    }

    @Test
    void enableThinkingFalseAddsAnEmptyThinkBlock() throws IOException {
        // The reference case with kwargs; pinned here too so a lost kwarg cannot go unnoticed.
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(GoldenFixtures.path(QWEN3_CONFIG));
        List<ChatMessage> conversation = List.of(ChatMessage.user("Find x if 2x + 3 = 11."));

        assertThat(qwen3.render(conversation, true, Map.of("enable_thinking", false)))
                .endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
        assertThat(qwen3.render(conversation, true, Map.of("enable_thinking", true)))
                .endsWith("<|im_start|>assistant\n");
        assertThat(qwen3.render(conversation, true)).endsWith("<|im_start|>assistant\n");
    }

    @Test
    void readsSpecialTokensFromTheConfig() throws IOException {
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(GoldenFixtures.path(QWEN3_CONFIG));

        assertThat(qwen3.eosToken()).contains("<|im_end|>");
        assertThat(qwen3.bosToken()).isEmpty(); // "bos_token": null
        assertThat(qwen3.specialTokens()).containsEntry("pad_token", "<|endoftext|>");
    }
}
