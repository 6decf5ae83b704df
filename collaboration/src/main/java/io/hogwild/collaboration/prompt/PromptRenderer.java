package io.hogwild.collaboration.prompt;

import io.hogwild.chattemplate.ChatMessage;
import io.hogwild.chattemplate.ChatTemplate;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.ModelInfo;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders the collaboration prompt through the model's own chat template (from {@code GET /v1/model}), so the
 * workers see exactly the format the model was trained on. Compiled templates are cached by their source.
 *
 * <p>Two adjustments keep the workers' views well formed: a reasoning model (one whose tokenizer has thinking tags)
 * starts inside its thinking block, so when thinking is enabled and the template does not already leave the block
 * open (Qwen3's does not; QwQ's and R1-Distill's do) the open tag and a newline are appended, as the paper did; and
 * the prompt ends with one newline or one blank line, never more and never none, because the first section header
 * follows it directly.
 */
public class PromptRenderer {

    private final Map<String, ChatTemplate> templates = new ConcurrentHashMap<>();
    private final Clock clock;

    public PromptRenderer() {
        this(Clock.systemDefaultZone());
    }

    public PromptRenderer(Clock clock) {
        this.clock = clock;
    }

    /**
     * The prompt block: system message with the rules, user message with the problem, then the generation prompt so
     * the workers continue as the assistant (inside its thinking block for a reasoning model with thinking enabled).
     */
    public String render(ModelInfo model, String problem, List<String> names, Layout layout, boolean fewShot,
                         boolean enableThinking) {
        List<ChatMessage> messages = List.of(
                ChatMessage.system(PromptTexts.rules(names, layout)),
                ChatMessage.user(PromptTexts.task(problem, names, layout, fewShot)));
        if (model.chatTemplate() == null || model.chatTemplate().isBlank()) {
            // A base model without a template: plain text that still separates rules, task and answer.
            return messages.get(0).content() + "\n\n" + messages.get(1).content() + "\n\n";
        }
        String rendered = template(model).render(messages, true, Map.of("enable_thinking", enableThinking));
        if (enableThinking && model.reasoningTags() != null && !leavesThinkingDecided(rendered, model)) {
            rendered = endWithNewline(rendered) + model.reasoningTags().open() + "\n";
        }
        return endWithNewline(rendered);
    }

    /**
     * Whether the template already opened the thinking block (it ends with the open tag) or closed an empty one
     * (it ends with the close tag: thinking switched off by the template itself).
     */
    private static boolean leavesThinkingDecided(String rendered, ModelInfo model) {
        String tail = rendered.stripTrailing();
        return tail.endsWith(model.reasoningTags().open()) || tail.endsWith(model.reasoningTags().close());
    }

    /** At least one and at most two trailing newlines. */
    static String endWithNewline(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        int newlines = text.length() - end;
        return newlines == 0 ? text + "\n" : newlines > 2 ? text.substring(0, end + 2) : text;
    }

    ChatTemplate template(ModelInfo model) {
        String key = Objects.requireNonNullElse(model.id(), "") + "\u0000" + model.chatTemplate();
        return templates.computeIfAbsent(key, k -> {
            Map<String, Object> special = new LinkedHashMap<>();
            if (model.specialTokens() != null) {
                model.specialTokens().forEach((name, value) -> {
                    if (value != null) {
                        special.put(name, value);
                    }
                });
            }
            return ChatTemplate.of(model.chatTemplate(), special, clock);
        });
    }
}
