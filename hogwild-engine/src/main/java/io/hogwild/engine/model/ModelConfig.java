package io.hogwild.engine.model;

import io.hogwild.engine.rope.RopeScaling;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hyper-parameters of a checkpoint, read from its {@code config.json}.
 *
 * <p>Both forms of RoPE configuration seen in published checkpoints are accepted: the classic top-level
 * {@code rope_theta} / {@code rope_scaling}, and the newer {@code rope_parameters} object.
 */
public record ModelConfig(
        Architecture architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        boolean tieWordEmbeddings,
        int maxPositionEmbeddings,
        RopeScaling rope,
        Integer eosTokenId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        require(hiddenSize > 0, "hidden_size", "must be positive");
        require(numHeads > 0, "num_attention_heads", "must be positive");
        require(numKvHeads > 0 && numHeads % numKvHeads == 0, "num_key_value_heads",
                "must divide num_attention_heads (" + numHeads + ")");
        require(headDim > 0 && headDim % 2 == 0, "head_dim", "must be a positive even number");
        require(numLayers > 0, "num_hidden_layers", "must be positive");
        require(vocabSize > 0, "vocab_size", "must be positive");
        require(intermediateSize > 0, "intermediate_size", "must be positive");
    }

    /** Query heads that share one key/value head (grouped-query attention). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    public static ModelConfig load(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing file: " + file);
        }
        try {
            return parse(JSON.readTree(file.toFile()));
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    public static ModelConfig parse(JsonNode c) {
        JsonNode archs = c.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            throw new CheckpointException("config.json: missing field 'architectures'");
        }
        Architecture arch = Architecture.fromHfName(archs.get(0).asString());
        int hidden = requiredInt(c, "hidden_size");
        int heads = requiredInt(c, "num_attention_heads");
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : hidden / heads;
        JsonNode eos = c.path("eos_token_id");
        Integer eosId = eos.isInt() ? eos.asInt() : eos.isArray() && !eos.isEmpty() ? eos.get(0).asInt() : null;
        return new ModelConfig(
                arch,
                hidden,
                requiredInt(c, "intermediate_size"),
                requiredInt(c, "num_hidden_layers"),
                heads,
                c.hasNonNull("num_key_value_heads") ? c.get("num_key_value_heads").asInt() : heads,
                headDim,
                requiredInt(c, "vocab_size"),
                c.path("rms_norm_eps").asDouble(1e-6),
                c.path("tie_word_embeddings").asBoolean(false),
                c.path("max_position_embeddings").asInt(32768),
                parseRope(c),
                eosId);
    }

    private static RopeScaling parseRope(JsonNode c) {
        JsonNode params = c.path("rope_parameters");
        double theta = c.hasNonNull("rope_theta") ? c.get("rope_theta").asDouble()
                : params.path("rope_theta").asDouble(10000.0);
        // Newer configs carry everything in rope_parameters; the classic ones in rope_scaling.
        JsonNode scaling = c.path("rope_scaling");
        if (scaling.isMissingNode() || scaling.isNull()) {
            scaling = params;
        }
        if (scaling.isMissingNode() || scaling.isNull()) {
            return RopeScaling.plain(theta);
        }
        String field = scaling == params ? "rope_parameters" : "rope_scaling";
        String type = scaling.hasNonNull("rope_type") ? scaling.get("rope_type").asString()
                : scaling.path("type").asString("default");
        switch (type) {
            case "default":
                return RopeScaling.plain(theta);
            case "llama3":
                return new RopeScaling(theta, type,
                        requiredNumber(scaling, field, "factor"),
                        requiredNumber(scaling, field, "low_freq_factor"),
                        requiredNumber(scaling, field, "high_freq_factor"),
                        (int) requiredNumber(scaling, field, "original_max_position_embeddings"));
            default:
                throw new CheckpointException("config.json: unsupported " + field + ".rope_type '" + type
                        + "' (supported: default, llama3)");
        }
    }

    private static int requiredInt(JsonNode c, String field) {
        JsonNode n = c.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new CheckpointException("config.json: missing or non-integer field '" + field + "'");
        }
        return n.asInt();
    }

    private static double requiredNumber(JsonNode node, String parent, String field) {
        JsonNode n = node.get(field);
        if (n == null || !n.isNumber()) {
            throw new CheckpointException("config.json: missing or non-numeric field '" + parent + "." + field + "'");
        }
        return n.asDouble();
    }

    private static void require(boolean ok, String field, String why) {
        if (!ok) {
            throw new CheckpointException("config.json: field '" + field + "' " + why);
        }
    }

    /** The number of weights of a model of this shape (the embedding counted once, tied or not). */
    public long weightCount() {
        long hidden = hiddenSize;
        long q = (long) numHeads * headDim;
        long kv = (long) numKvHeads * headDim;
        long perLayer = (q + 2 * kv) * hidden + hidden * q + 3L * intermediateSize * hidden + 2 * hidden
                + (architecture.qkNorm() ? 2L * headDim : 0) + (architecture.qkvBias() ? q + 2 * kv : 0);
        return perLayer * numLayers + hidden + (long) vocabSize * hidden;
    }
}
