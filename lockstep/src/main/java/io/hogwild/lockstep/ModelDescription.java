package io.hogwild.lockstep;

import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.engine.LanguageModel;
import io.hogwild.collaboration.policy.TokenHygiene;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** What clients need to know about a loaded checkpoint: architecture and context, chat template, special tokens. */
public final class ModelDescription {

    private ModelDescription() {
    }

    /**
     * Model info from config.json (architecture, context), tokenizer_config.json (template, special tokens) and the
     * added tokens of both tokenizer files (the thinking tags of a reasoning model).
     */
    public static ModelInfo describe(Path dir, String id, LanguageModel model) {
        JsonNode config = CheckpointVocabulary.readJson(dir.resolve("config.json"));
        String architecture = config.path("architectures").path(0).asString(model.config().architecture().name());
        JsonNode tokenizerConfig = CheckpointVocabulary.readJson(dir.resolve("tokenizer_config.json"));
        Map<String, String> special = new LinkedHashMap<>();
        for (String name : new String[] {"bos_token", "eos_token", "pad_token", "unk_token"}) {
            special.put(name, CheckpointVocabulary.tokenText(tokenizerConfig.get(name)));
        }
        List<String> added = CheckpointVocabulary.addedTokens(dir).stream()
                .map(CheckpointVocabulary.AddedToken::content).toList();
        return new ModelInfo(id, architecture, model.config().maxPositionEmbeddings(), model.config().vocabSize(),
                chatTemplate(tokenizerConfig.get("chat_template")), Collections.unmodifiableMap(special),
                TokenHygiene.reasoningTags(added).orElse(null));
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
}
