package io.hogwild.collaboration.prompt;

import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.chattemplate.ChatMessage;
import io.hogwild.chattemplate.ChatTemplate;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders the collaboration prompt through the model's own chat template (from {@code GET /v1/model}), so the
 * workers see exactly the format the model was trained on. Compiled templates are cached by their source.
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
     * the workers continue as the assistant.
     */
    public String render(ModelInfo model, String problem, List<String> names, boolean fewShot,
                         boolean enableThinking) {
        List<ChatMessage> messages = List.of(
                ChatMessage.system(PromptTexts.rules(names)),
                ChatMessage.user(PromptTexts.task(problem, names, fewShot)));
        if (model.chatTemplate() == null || model.chatTemplate().isBlank()) {
            // A base model without a template: plain text that still separates rules, task and answer.
            return messages.get(0).content() + "\n\n" + messages.get(1).content() + "\n\n";
        }
        return template(model).render(messages, true, Map.of("enable_thinking", enableThinking));
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
