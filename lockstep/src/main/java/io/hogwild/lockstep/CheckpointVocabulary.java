package io.hogwild.lockstep;

import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.model.CheckpointException;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.stream.IntStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a checkpoint's own files say about its tokens, and the {@link TokenHygiene} built from it: the added tokens
 * ({@code tokenizer.json} {@code added_tokens} and {@code tokenizer_config.json} {@code added_tokens_decoder}, with
 * their {@code special} flags), the bos, pad and eos tokens ({@code tokenizer_config.json}), the EOS ids
 * ({@code generation_config.json}, {@code config.json}) and every id's text (the tokenizer itself). No model names.
 */
public final class CheckpointVocabulary {

    /** An added token: id, text and whether the tokenizer marks it special. */
    public record AddedToken(int id, String content, boolean special) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<LanguageModel, TokenHygiene> HYGIENE = Collections.synchronizedMap(new WeakHashMap<>());

    private CheckpointVocabulary() {
    }

    /** The hygiene of a loaded model, built once (a scan of the whole vocabulary). */
    public static TokenHygiene hygiene(LanguageModel model) {
        return HYGIENE.computeIfAbsent(model, m -> hygiene(m.directory(), m.tokenizer(), m.config().vocabSize(),
                m.defaults().eosTokenIds()));
    }

    /**
     * @param vocabSize ids 0..vocabSize-1 are scanned (the model's output size, which may exceed the tokenizer's)
     * @param eos EOS ids from the generation config; the tokenizer config's eos_token is added
     */
    public static TokenHygiene hygiene(Path dir, Tokenizer tokenizer, int vocabSize, Set<Integer> eos) {
        List<AddedToken> added = addedTokens(dir);
        Map<String, Integer> ids = new LinkedHashMap<>();
        added.forEach(t -> ids.putIfAbsent(t.content(), t.id()));
        JsonNode config = readJson(dir.resolve("tokenizer_config.json"));
        Set<Integer> allEos = new LinkedHashSet<>(eos);
        Integer eosToken = ids.get(tokenText(config.get("eos_token")));
        if (eosToken != null) {
            allEos.add(eosToken);
        }
        Set<Integer> forbidden = new LinkedHashSet<>();
        added.stream().filter(AddedToken::special).forEach(t -> forbidden.add(t.id()));
        for (String name : List.of("bos_token", "pad_token")) {
            Integer id = ids.get(tokenText(config.get(name)));
            if (id != null) {
                forbidden.add(id);
            }
        }
        TokenHygiene.reasoningTags(ids.keySet()).ifPresent(tags -> {
            forbidden.add(ids.get(tags.open()));
            forbidden.add(ids.get(tags.close()));
        });
        String[] texts = tokenizer.decodeEach(IntStream.range(0, vocabSize).toArray());
        return TokenHygiene.of(texts, allEos, forbidden);
    }

    /** The added tokens of both files, by id (tokenizer.json wins where both list one). */
    public static List<AddedToken> addedTokens(Path dir) {
        Map<Integer, AddedToken> byId = new LinkedHashMap<>();
        for (JsonNode t : readJson(dir.resolve("tokenizer.json")).path("added_tokens")) {
            byId.put(t.path("id").asInt(), new AddedToken(t.path("id").asInt(), t.path("content").asString(""),
                    t.path("special").asBoolean(false)));
        }
        readJson(dir.resolve("tokenizer_config.json")).path("added_tokens_decoder").properties().forEach(e -> {
            int id = Integer.parseInt(e.getKey());
            byId.putIfAbsent(id, new AddedToken(id, e.getValue().path("content").asString(""),
                    e.getValue().path("special").asBoolean(false)));
        });
        return List.copyOf(byId.values());
    }

    /** A special token is either a string or an object with {@code content} (AddedToken). */
    static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isObject() ? node.path("content").asString(null) : node.asString();
    }

    static JsonNode readJson(Path file) {
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
