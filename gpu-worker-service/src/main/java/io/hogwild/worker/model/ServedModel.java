package io.hogwild.worker.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.worker.config.ModelProperties;
import io.hogwild.worker.config.WorkerProperties;
import io.hogwild.worker.engine.Engines;
import io.hogwild.worker.engine.LanguageModel;
import io.hogwild.worker.engine.model.CheckpointException;
import io.hogwild.worker.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The one model this worker serves, loaded at startup (a worker without its model is useless, so a checkpoint
 * that cannot be loaded stops the service with the loader's message), and what clients need to know about it.
 */
@Component
public class ServedModel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServedModel.class);

    private final LanguageModel model;
    private final ModelInfo info;
    private final long bytesPerToken;

    public ServedModel(ModelProperties properties, WorkerProperties worker) {
        Path dir = properties.resolvedPath();
        Device device = switch (worker.device().toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> Device.gpu();
            case "auto", "" -> Engines.defaultDevice();
            default -> throw new IllegalArgumentException(
                    "hogwild.worker.device must be auto, cpu or gpu, got '" + worker.device() + "'");
        };
        long start = System.nanoTime();
        this.model = LanguageModel.load(dir, device);
        this.model.tokenizer(); // the service needs one: fail at startup, not at the first request
        this.info = describe(dir, properties.modelId(dir), model);
        var config = model.config();
        this.bytesPerToken = 2L * config.numLayers() * config.numKvHeads() * config.headDim()
                * model.transformer().cacheDataType().getNumOfBytes();
        log.info("Loaded model {} ({}) from {} on {} in {} ms", info.id(), info.architecture(), dir, device,
                (System.nanoTime() - start) / 1_000_000);
    }

    public LanguageModel languageModel() {
        return model;
    }

    public Tokenizer tokenizer() {
        return model.tokenizer();
    }

    public ModelInfo info() {
        return info;
    }

    public int contextLimit() {
        return info.contextLimit();
    }

    /** Keys and values of one cached token over all layers, in the cache's dtype. */
    public long bytesPerToken() {
        return bytesPerToken;
    }

    public Set<Integer> eosTokenIds() {
        return model.defaults().eosTokenIds();
    }

    /** Model info from config.json (architecture, context) and tokenizer_config.json (template, special tokens). */
    public static ModelInfo describe(Path dir, String id, LanguageModel model) {
        ObjectMapper json = new ObjectMapper();
        JsonNode config = readJson(json, dir.resolve("config.json"));
        String architecture = config.path("architectures").path(0).asText(model.config().architecture().name());
        JsonNode tokenizerConfig = readJson(json, dir.resolve("tokenizer_config.json"));
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
        return node.isObject() ? node.path("content").asText(null) : node.asText();
    }

    /** A single template, or a list of named ones (the one named {@code default} is the chat template). */
    private static String chatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText(null);
                }
            }
            return node.size() > 0 ? node.get(0).path("template").asText(null) : null;
        }
        return node.asText();
    }

    private static JsonNode readJson(ObjectMapper json, Path file) {
        if (!Files.isRegularFile(file)) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
