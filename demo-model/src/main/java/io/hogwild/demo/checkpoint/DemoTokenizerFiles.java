package io.hogwild.demo.checkpoint;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo model's tokenizer: byte-level BPE with no merges, so every byte is one token (any text encodes, ASCII
 * one character per token) and three chat special tokens. Written as {@code tokenizer.json} and
 * {@code tokenizer_config.json} in the Hugging Face formats, read by the same tokenizer library as any checkpoint.
 */
public final class DemoTokenizerFiles {

    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final List<String> SPECIAL = List.of(END_OF_TEXT, IM_START, IM_END);
    /** Special tokens first, then the 256 bytes in order: the id of byte b is {@code 3 + b}. */
    public static final int VOCAB_SIZE = SPECIAL.size() + 256;
    public static final int EOS_ID = 2;

    /**
     * ChatML without a system turn. The platform's collaboration rules are English prose that a model this small
     * cannot read; it learned the protocol from traces in the platform's layout instead, so its prompt is the task
     * alone.
     */
    public static final String CHAT_TEMPLATE = "{%- for message in messages %}"
            + "{%- if message['role'] != 'system' %}"
            + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{%- endif %}"
            + "{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    private DemoTokenizerFiles() {
    }

    public static void write(Path dir) {
        ObjectMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        try {
            Files.createDirectories(dir);
            json.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson());
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("tokenizer_class", "PreTrainedTokenizerFast");
            config.put("bos_token", null);
            config.put("eos_token", IM_END);
            config.put("pad_token", END_OF_TEXT);
            config.put("add_bos_token", false);
            config.put("model_max_length", 2048);
            config.put("chat_template", CHAT_TEMPLATE);
            json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer to " + dir, e);
        }
    }

    private static Map<String, Object> tokenizerJson() {
        List<Map<String, Object>> added = new ArrayList<>();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < SPECIAL.size(); i++) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", i);
            token.put("content", SPECIAL.get(i));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
            vocab.put(SPECIAL.get(i), i);
        }
        char[] byteChars = byteLevelAlphabet();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(byteChars[b]), SPECIAL.size() + b);
        }
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", false);
        byteLevel.put("use_regex", false);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel);
        root.put("post_processor", null);
        root.put("decoder", byteLevel);
        root.put("model", model);
        return root;
    }

    /**
     * The byte-to-character table of byte-level BPE: printable Latin-1 bytes stand for themselves, the others are
     * moved to code points from 256 on, so that every byte is a visible character in the vocabulary.
     */
    static char[] byteLevelAlphabet() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) next++;
        }
        return table;
    }
}
