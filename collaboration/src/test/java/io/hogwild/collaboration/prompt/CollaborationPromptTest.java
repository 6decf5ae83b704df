package io.hogwild.collaboration.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The collaboration prompt rendered through real chat templates: the tiny ChatML one of the qwen3-tiny checkpoint and
 * Qwen3's own (with and without thinking). Expected strings are spelled out, so a change in the template engine, in
 * how messages are assembled or in enable_thinking handling fails here.
 */
class CollaborationPromptTest {

    private static final List<String> TEAM = WorkerNames.first(2);
    private static final String PROBLEM = "  What is 17 * 23?\n";

    private final PromptRenderer renderer = new PromptRenderer();

    static ModelInfo model(String resource) throws IOException {
        try (InputStream in = CollaborationPromptTest.class.getClassLoader().getResourceAsStream(resource)) {
            JsonNode config = new ObjectMapper().readTree(in);
            Map<String, String> special = new HashMap<>();
            for (String key : List.of("bos_token", "eos_token", "pad_token")) {
                JsonNode value = config.get(key);
                special.put(key, value == null || value.isNull() ? null
                        : value.isTextual() ? value.asString() : value.path("content").asString());
            }
            List<String> added = new java.util.ArrayList<>();
            config.path("added_tokens_decoder").forEach(t -> added.add(t.path("content").asString()));
            return new ModelInfo(resource, "Qwen3ForCausalLM", 4096, 512, config.get("chat_template").asString(),
                    special, TokenHygiene.reasoningTags(added).orElse(null));
        }
    }

    @Test
    void tinyChatMlTemplateWrapsRulesAndTaskAsSystemAndUserTurns() throws IOException {
        String rendered = renderer.render(model("golden/qwen3-tiny/tokenizer_config.json"), PROBLEM, TEAM,
                Layout.COMBINED, false, true);

        assertThat(rendered).isEqualTo("<|im_start|>system\n" + PromptTexts.rules(TEAM, Layout.COMBINED)
                + "<|im_end|>\n" + "<|im_start|>user\nProblem:\nWhat is 17 * 23?<|im_end|>\n"
                + "<|im_start|>assistant\n");
    }

    @Test
    void qwen3StartsInsideItsThinkingBlockUnlessThinkingIsOff() throws IOException {
        ModelInfo qwen3 = model("golden/qwen3-tokenizer/tokenizer_config.json");
        assertThat(qwen3.reasoningTags()).isEqualTo(new ModelInfo.ReasoningTags("<think>", "</think>"));
        String expectedTurns = "<|im_start|>system\n" + PromptTexts.rules(TEAM, Layout.COMBINED) + "<|im_end|>\n"
                + "<|im_start|>user\nProblem:\nWhat is 17 * 23?<|im_end|>\n"
                + "<|im_start|>assistant\n";

        // Qwen3's template leaves the block closed: the platform opens it, as the paper did
        assertThat(renderer.render(qwen3, PROBLEM, TEAM, Layout.COMBINED, false, true))
                .isEqualTo(expectedTurns + "<think>\n");
        // thinking off: the template's own empty block stays as it is
        assertThat(renderer.render(qwen3, PROBLEM, TEAM, Layout.COMBINED, false, false))
                .isEqualTo(expectedTurns + "<think>\n\n</think>\n\n");
    }

    @Test
    void aTemplateThatAlreadyOpensTheThinkingBlockIsLeftAlone() {
        // the end of QwQ's and R1-Distill's generation prompt
        String template = "{%- for m in messages %}{{ m['content'] }}{%- endfor %}{{ '<|Assistant|><think>\\n' }}";
        ModelInfo qwq = new ModelInfo("qwq", "Qwen2ForCausalLM", 4096, 512, template, Map.of(),
                new ModelInfo.ReasoningTags("<think>", "</think>"));

        assertThat(renderer.render(qwq, PROBLEM, TEAM, Layout.COMBINED, false, true)).endsWith("<|Assistant|><think>\n")
                .doesNotContain("<think>\n<think>");
    }

    @Test
    void fewShotExamplesShowTheSectionsBeforeTheProblemWithTheTeamsNames() throws IOException {
        String rendered = renderer.render(model("golden/qwen3-tokenizer/tokenizer_config.json"), PROBLEM,
                List.of("Carol", "Dave", "Eve"), Layout.COMBINED, true, true);

        assertThat(rendered).contains("**Carol [1]:** Hello, Carol here. Plan:").contains("**Dave [2]:**")
                .contains(PromptTexts.HISTORY_HEADER).contains(PromptTexts.OTHERS_HEADER)
                .contains(PromptTexts.UNFINISHED_MARKER).contains(PromptTexts.OWN_HEADER).contains("\\boxed{24}")
                .doesNotContain("\n\n\n");
        assertThat(rendered.indexOf("End of example.")).isLessThan(rendered.indexOf("Problem:\nWhat is 17 * 23?"));
    }

    @Test
    void rulesNameTheSectionsOfTheLayoutAndTheWaysToWorkTogether() {
        String rules = PromptTexts.rules(WorkerNames.first(3), Layout.COMBINED);

        assertThat(rules).contains("3 assistants (Alice, Bob and Carol)").contains("\"Finished steps\"")
                .contains("\"Steps the others are still writing\"").contains("<...>")
                .contains("\"Your step in progress\"").contains("plan").contains("yes or no")
                .contains("\\boxed{...}");
        assertThat(PromptTexts.rules(WorkerNames.first(2), Layout.INTERLEAVED))
                .contains("only once they are finished").doesNotContain("still writing");
        assertThat(PromptTexts.rules(WorkerNames.first(2), Layout.CONTIGUOUS))
                .contains("\"What the others have written so far\"").doesNotContain("Finished steps");
        assertThat(PromptTexts.rules(List.of("Alice"), Layout.SINGLE)).contains("**Alice [1]:**")
                .doesNotContain("assistants (");
    }

    @Test
    void problemsKeepAtMostOneBlankLineInARow() {
        assertThat(PromptTexts.task("A.\n\n\n\nB.", TEAM, Layout.COMBINED, false)).isEqualTo("Problem:\nA.\n\nB.");
    }

    @Test
    void atLeastEightDistinctWorkerNames() {
        assertThat(WorkerNames.ALL).hasSizeGreaterThanOrEqualTo(8).doesNotHaveDuplicates()
                .startsWith("Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi");
    }

    @Test
    void modelWithoutTemplateGetsPlainText() {
        ModelInfo base = new ModelInfo("base", "LlamaForCausalLM", 2048, 100, null, Map.of(), null);

        assertThat(renderer.render(base, PROBLEM, TEAM, Layout.COMBINED, false, true))
                .isEqualTo(PromptTexts.rules(TEAM, Layout.COMBINED) + "\n\nProblem:\nWhat is 17 * 23?\n\n");
    }
}
