package io.hogwild.collaboration.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
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
            return new ModelInfo(resource, "Qwen3ForCausalLM", 4096, 512, config.get("chat_template").asString(),
                    special);
        }
    }

    @Test
    void tinyChatMlTemplateWrapsRulesAndTaskAsSystemAndUserTurns() throws IOException {
        String rendered = renderer.render(model("golden/qwen3-tiny/tokenizer_config.json"), PROBLEM, TEAM, false,
                true);

        assertThat(rendered).isEqualTo("<|im_start|>system\n" + PromptTexts.rules(TEAM) + "<|im_end|>\n"
                + "<|im_start|>user\nProblem:\nWhat is 17 * 23?<|im_end|>\n"
                + "<|im_start|>assistant\n");
    }

    @Test
    void qwen3TemplateRendersWithThinkingOnAndOff() throws IOException {
        ModelInfo qwen3 = model("golden/qwen3-tokenizer/tokenizer_config.json");
        String expectedTurns = "<|im_start|>system\n" + PromptTexts.rules(TEAM) + "<|im_end|>\n"
                + "<|im_start|>user\nProblem:\nWhat is 17 * 23?<|im_end|>\n"
                + "<|im_start|>assistant\n";

        assertThat(renderer.render(qwen3, PROBLEM, TEAM, false, true)).isEqualTo(expectedTurns);
        assertThat(renderer.render(qwen3, PROBLEM, TEAM, false, false))
                .isEqualTo(expectedTurns + "<think>\n\n</think>\n\n");
    }

    @Test
    void fewShotExamplesGoBeforeTheProblemAndUseTheTeamsNames() throws IOException {
        String rendered = renderer.render(model("golden/qwen3-tokenizer/tokenizer_config.json"), PROBLEM,
                List.of("Carol", "Dave", "Eve"), true, true);

        assertThat(rendered).contains("**Carol [1]:** Plan:").contains("**Dave [2]:**")
                .contains("\\boxed{24}");
        assertThat(rendered.indexOf("End of example.")).isLessThan(rendered.indexOf("Problem:\nWhat is 17 * 23?"));
    }

    @Test
    void rulesExplainTheSettingToEveryWorker() {
        String rules = PromptTexts.rules(WorkerNames.first(3));

        assertThat(rules).contains("3 workers (Alice, Bob and Carol)")
                .contains("shared section").contains("right now is visible")
                .contains("plan").contains("Say what you are about to do")
                .contains("pick something useful").contains("\\boxed{...}");
        assertThat(PromptTexts.rules(List.of("Alice"))).contains("You are Alice").doesNotContain("workers (");
    }

    @Test
    void atLeastEightDistinctWorkerNames() {
        assertThat(WorkerNames.ALL).hasSizeGreaterThanOrEqualTo(8).doesNotHaveDuplicates()
                .startsWith("Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi");
    }

    @Test
    void modelWithoutTemplateGetsPlainText() {
        ModelInfo base = new ModelInfo("base", "LlamaForCausalLM", 2048, 100, null, Map.of());

        assertThat(renderer.render(base, PROBLEM, TEAM, false, true))
                .isEqualTo(PromptTexts.rules(TEAM) + "\n\nProblem:\nWhat is 17 * 23?\n\n");
    }
}
