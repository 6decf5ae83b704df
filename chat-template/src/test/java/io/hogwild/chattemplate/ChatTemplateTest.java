package io.hogwild.chattemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer_config.json facade: config variants, special tokens and the variables it passes. */
class ChatTemplateTest {

    private static final String QWEN3_CONFIG = "golden/qwen3-tokenizer/tokenizer_config.json";

    private static ObjectNode config(String template) {
        ObjectNode node = GoldenFixtures.JSON.createObjectNode();
        node.put("chat_template", template);
        return node;
    }

    @Test
    void specialTokensMayBeAddedTokenObjectsAndReachTheTemplate() {
        ObjectNode config = config("{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}");
        config.putObject("bos_token").put("__type", "AddedToken").put("content", "<s>").put("lstrip", false);
        config.put("eos_token", "</s>");
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config);

        assertThat(template.bosToken()).contains("<s>");
        assertThat(template.eosToken()).contains("</s>");
        assertThat(template.render(List.of(ChatMessage.user("hi")), false)).isEqualTo("<s>hi</s>");
    }

    @Test
    void absentSpecialTokensAreUndefinedInTheTemplate() {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config("{{ bos_token is defined }}"));
        assertThat(template.bosToken()).isEmpty();
        assertThat(template.render(List.of(), false)).isEqualTo("False");
    }

    @Test
    void namedTemplateListUsesTheDefaultOne() throws IOException {
        JsonNode config = GoldenFixtures.JSON.readTree(
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        assertThat(ChatTemplate.fromTokenizerConfig(config).render(List.of(), false)).isEqualTo("D");
    }

    @Test
    void fallsBackToChatTemplateJinjaNextToTheConfig(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<e>\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content }}{{ eos_token }}");

        ChatTemplate template = ChatTemplate.fromTokenizerConfig(dir.resolve("tokenizer_config.json"));

        assertThat(template.render(List.of(ChatMessage.user("x")), false)).isEqualTo("x<e>");
    }

    @Test
    void toolsAndDocumentsAreNoneUnlessGivenAndGenerationPromptIsPassed() {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config(
                "{{ tools is none }}/{{ documents is none }}/{{ add_generation_prompt }}/{{ extra }}"));
        assertThat(template.render(List.of(), true, Map.of("extra", 42))).isEqualTo("True/True/True/42");
    }

    @Test
    void reservedVariablesCannotBeOverridden() {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config("x"));
        assertThatThrownBy(() -> template.render(List.of(), true, Map.of("messages", List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void raiseExceptionFromAModelTemplateReachesTheCaller() {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config(
                "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not supported') }}"
                        + "{% endif %}{{ m.content }}{% endfor %}"));
        assertThatThrownBy(() -> template.render(List.of(ChatMessage.system("s")), false))
                .isInstanceOf(TemplateRaisedException.class)
                .extracting(e -> ((TemplateException) e).detail()).isEqualTo("System role not supported");
    }

    @Test
    void qwen3UsesReasoningContentForTheLastAssistantTurn() throws IOException {
        // Expected output computed with Python Jinja2 3.1.6 in transformers' environment.
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(GoldenFixtures.path(QWEN3_CONFIG));
        List<ChatMessage> conversation = List.of(ChatMessage.user("Hi"),
                new ChatMessage("assistant", "Hello!", "greet back"));

        assertThat(qwen3.render(conversation, false)).isEqualTo(
                "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\ngreet back\n</think>\n\nHello!<|im_end|>\n");
    }

    @Test
    void qwen3RendersToolsToolCallsAndToolResponses() throws IOException {
        // Expected output computed with Python Jinja2 3.1.6 in transformers' environment.
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(GoldenFixtures.path(QWEN3_CONFIG));
        JsonNode tools = orderedToolJson();
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "sys"),
                Map.of("role", "user", "content", "Weather in Paris?"),
                Map.of("role", "assistant", "content", "", "tool_calls", List.of(Map.of("type", "function",
                        "function", Map.of("name", "get_weather", "arguments", Map.of("city", "Paris"))))),
                Map.of("role", "tool", "content", "{\"temp\": 21}"),
                Map.of("role", "tool", "content", "sunny"),
                Map.of("role", "assistant", "content", "It is 21 and sunny.", "reasoning_content", "look at tool output"),
                Map.of("role", "user", "content", "Thanks"));

        String rendered = qwen3.renderMessageMaps(messages, true, Map.of("tools", tools));

        assertThat(rendered).isEqualTo("<|im_start|>system\nsys\n\n# Tools\n\nYou may call one or more functions to assist "
                + "with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
                + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Get weather\", "
                + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, "
                + "\"required\": [\"city\"]}}}\n</tools>\n\nFor each function call, return a json object with function name "
                + "and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
                + "\"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n<|im_start|>user\nWeather in Paris?<|im_end|>\n"
                + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"
                + "</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n{\"temp\": 21}\n</tool_response>\n"
                + "<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\nIt is 21 and sunny.<|im_end|>\n"
                + "<|im_start|>user\nThanks<|im_end|>\n<|im_start|>assistant\n");
    }

    /** Tool schemas as JSON, so key order (which tojson preserves) is the order written here. */
    private static JsonNode orderedToolJson() throws IOException {
        return GoldenFixtures.JSON.readTree("[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
                + "\"description\": \"Get weather\", \"parameters\": {\"type\": \"object\", "
                + "\"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}]");
    }
}
