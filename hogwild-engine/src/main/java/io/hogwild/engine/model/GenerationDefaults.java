package io.hogwild.engine.model;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Defaults from {@code generation_config.json} (absent file: greedy, EOS from config.json).
 *
 * @param eosTokenIds tokens that end generation
 * @param temperature default temperature (0 when the checkpoint asks for greedy decoding)
 * @param topK default top-k (0 = none)
 * @param topP default top-p (1 = none)
 */
public record GenerationDefaults(Set<Integer> eosTokenIds, double temperature, int topK, double topP) {

    public static GenerationDefaults load(Path modelDir, ModelConfig config) {
        Set<Integer> eos = new LinkedHashSet<>();
        if (config.eosTokenId() != null) {
            eos.add(config.eosTokenId());
        }
        Path file = modelDir.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) {
            return new GenerationDefaults(Set.copyOf(eos), 0, 0, 1);
        }
        try {
            JsonNode g = new ObjectMapper().readTree(file.toFile());
            JsonNode e = g.path("eos_token_id");
            if (e.isInt()) {
                eos.add(e.asInt());
            } else if (e.isArray()) {
                e.forEach(n -> eos.add(n.asInt()));
            }
            boolean sample = g.path("do_sample").asBoolean(false);
            return new GenerationDefaults(Set.copyOf(eos),
                    sample ? g.path("temperature").asDouble(1.0) : 0,
                    sample ? g.path("top_k").asInt(0) : 0,
                    sample ? g.path("top_p").asDouble(1.0) : 1);
        } catch (JacksonException ex) {
            throw new CheckpointException(file + ": not valid JSON (" + ex.getOriginalMessage() + ")", ex);
        }
    }
}
