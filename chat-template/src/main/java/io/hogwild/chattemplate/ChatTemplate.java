package io.hogwild.chattemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's chat template, read from its Hugging Face {@code tokenizer_config.json}, rendering a
 * conversation to the exact prompt string that transformers'
 * {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=..., **kwargs)}
 * produces.
 *
 * <p>Why an interpreter of our own: HubSpot Jinjava (2.8.4, evaluated against Qwen3's template)
 * cannot render these templates: it rejects Python slicing ({@code messages[::-1]}), does not
 * accept {@code namespace(key=value)}, has no Python string methods ({@code .lstrip('\n')},
 * {@code .startswith}) and reports such failures as warnings while still producing wrong output.
 * HF chat templates use a small, stable subset of Jinja, so a compact lexer/parser/evaluator
 * with Python value semantics gives exact output with no heavyweight dependency.
 *
 * <p>Rendering follows transformers: {@code trim_blocks} and {@code lstrip_blocks} on, its own
 * {@code tojson}, {@code raise_exception} and {@code strftime_now}; the variables are the special
 * tokens of the config ({@code bos_token}, {@code eos_token}, ...), then the caller's extra
 * variables (e.g. {@code enable_thinking}), then {@code messages}, {@code tools},
 * {@code documents} (None unless given) and {@code add_generation_prompt}.
 */
public final class ChatTemplate {

    /** Special-token fields of tokenizer_config.json that transformers passes to the template. */
    private static final List<String> SPECIAL_TOKEN_KEYS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final Template template;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(String source, Template template, Map<String, Object> specialTokens) {
        this.source = source;
        this.template = template;
        this.specialTokens = specialTokens;
    }

    /**
     * Reads {@code tokenizer_config.json}. When it has no {@code chat_template} field, a
     * {@code chat_template.jinja} next to it is used (the layout newer transformers versions save).
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfig) throws IOException {
        JsonNode config = JSON.readTree(tokenizerConfig.toFile());
        if (!config.hasNonNull("chat_template")) {
            Path sibling = tokenizerConfig.resolveSibling("chat_template.jinja");
            if (Files.exists(sibling)) {
                return of(Files.readString(sibling), specialTokensOf(config), Clock.systemDefaultZone());
            }
        }
        return fromTokenizerConfig(config);
    }

    public static ChatTemplate fromTokenizerConfig(JsonNode config) {
        return fromTokenizerConfig(config, Clock.systemDefaultZone());
    }

    /** As {@link #fromTokenizerConfig(JsonNode)}, with the clock {@code strftime_now} reads. */
    public static ChatTemplate fromTokenizerConfig(JsonNode config, Clock clock) {
        return of(templateSource(config), specialTokensOf(config), clock);
    }

    /** A template from its source and special tokens (values: strings, or lists of strings). */
    public static ChatTemplate of(String source, Map<String, ?> specialTokens, Clock clock) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        specialTokens.forEach((k, v) -> tokens.put(k, TemplateValues.fromJava(v)));
        return new ChatTemplate(source, Template.compile(source, clock), Collections.unmodifiableMap(tokens));
    }

    /**
     * {@code chat_template} is either the Jinja string or, for models with several templates, a
     * list of {@code {"name", "template"}} objects of which transformers uses "default".
     */
    private static String templateSource(JsonNode config) {
        JsonNode node = config.get("chat_template");
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("tokenizer config has no chat_template");
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            for (JsonNode entry : node) {
                if ("default".equals(entry.path("name").asString()) && entry.path("template").isTextual()) {
                    return entry.get("template").textValue();
                }
            }
            throw new IllegalArgumentException("chat_template list has no template named 'default'");
        }
        throw new IllegalArgumentException("chat_template must be a string or a list of named templates");
    }

    /** Special tokens are strings or AddedToken objects ({@code {"content": "<s>", ...}}). */
    private static Map<String, Object> specialTokensOf(JsonNode config) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            String token = tokenText(config.get(key));
            if (token != null) {
                tokens.put(key, token);
            }
        }
        JsonNode additional = config.get("additional_special_tokens");
        if (additional != null && additional.isArray()) {
            List<Object> list = new ArrayList<>();
            additional.forEach(item -> {
                String token = tokenText(item);
                if (token != null) {
                    list.add(token);
                }
            });
            tokens.put("additional_special_tokens", list);
        }
        return tokens;
    }

    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").textValue();
        }
        return null;
    }

    /** Renders with no extra variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation.
     *
     * @param extraVariables template keyword arguments such as {@code enable_thinking}; may also
     *                       supply {@code tools} or {@code documents}
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        Objects.requireNonNull(messages, "messages");
        List<Map<String, Object>> values = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            values.add(message.toTemplateValue());
        }
        return renderMessageMaps(values, addGenerationPrompt, extraVariables);
    }

    /**
     * Renders messages given as maps, for turns that {@link ChatMessage} does not model
     * (e.g. assistant {@code tool_calls}); values may be Java collections or Jackson nodes.
     */
    public String renderMessageMaps(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                                    Map<String, ?> extraVariables) {
        for (String reserved : List.of("messages", "add_generation_prompt")) {
            if (extraVariables.containsKey(reserved)) {
                throw new IllegalArgumentException("'" + reserved + "' cannot be passed as an extra variable");
            }
        }
        Map<String, Object> variables = new HashMap<>(specialTokens);
        variables.put("tools", null);
        variables.put("documents", null);
        variables.putAll(extraVariables);
        variables.put("messages", messages);
        variables.put("add_generation_prompt", addGenerationPrompt);
        return template.render(variables);
    }

    /** The Jinja source of the template. */
    public String source() {
        return source;
    }

    public Optional<String> bosToken() {
        return Optional.ofNullable((String) specialTokens.get("bos_token"));
    }

    public Optional<String> eosToken() {
        return Optional.ofNullable((String) specialTokens.get("eos_token"));
    }

    /** All special tokens passed to the template, by config key (e.g. "eos_token" -> "<|im_end|>"). */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }
}
