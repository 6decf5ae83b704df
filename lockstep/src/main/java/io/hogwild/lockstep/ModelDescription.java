package io.hogwild.lockstep;

import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.model.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What clients need to know about a loaded checkpoint: architecture and context, chat template, special tokens. */
public final class ModelDescription {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ModelDescription() {
    }

    /** Model info from config.json (architecture, context) and tokenizer_config.json (template, special tokens). */
    public static ModelInfo describe(Path dir, String id, LanguageModel model) {
        JsonNode config = readJson(dir.resolve("config.json"));
        String architecture = config.path("architectures").path(0).asString(model.config().architecture().name());
        JsonNode tokenizerConfig = readJson(dir.resolve("tokenizer_config.json"));
        Map<String, String> special = new LinkedHashMap<>();
        for (String name : new String[] {"bos_token", "eos_token", "pad_token", "unk_token"}) {
            special.put(name, tokenText(tokenizerConfig.get(name)));
        }
        return new ModelInfo(id, architecture, model.config().maxPositionEmbeddings(), model.config().vocabSize(),
                chatTemplate(tokenizerConfig.get("chat_template")), Collections.unmodifiableMap(special));
    }

    /** A special token is either a string or an object with {@code content} (AddedToken). */
    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isObject() ? node.path("content").asString(null) : node.asString();
    }

    /** A single template, or a list of named ones (the one named {@code default} is the chat template). */
    private static String chatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asString())) {
                    return named.path("template").asString(null);
                }
            }
            return node.size() > 0 ? node.get(0).path("template").asString(null) : null;
        }
        return node.asString();
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }
}
