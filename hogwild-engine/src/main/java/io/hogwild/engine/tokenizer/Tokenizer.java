package io.hogwild.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.hogwild.engine.model.CheckpointException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A checkpoint's {@code tokenizer.json} (Hugging Face tokenizers, through DJL), used exactly as transformers does:
 * no special tokens added around plain text, special tokens written in the text are recognised, and decoding keeps
 * them.
 *
 * <p>Text that came from a caller (the problem inside the rendered prompt, what the workers wrote) can be encoded as
 * plain text ({@link #encode(String, List)}): a control token spelled out in it, such as {@code <|im_end|>}, becomes
 * the ordinary tokens of its characters, as transformers does with {@code split_special_tokens=True}, so nobody can
 * forge a chat turn. Everywhere else the result is the same as {@link #encode(String)}: the text is split at the
 * tokenizer's added tokens and the pieces between them are encoded alone, which is what the tokenizer itself does.
 *
 * <p>Calls into the native tokenizer are serialised: every session's lockstep thread decodes through the one
 * tokenizer of the served model, the calls are short, and one lock rules out any native concurrency issue.
 */
public final class Tokenizer implements AutoCloseable {

    /** A range of characters {@code [start, end)} to encode as plain text. */
    public record Span(int start, int end) {

        public Span {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
            }
        }
    }

    /** One of the tokenizer's added tokens (chat markers, thinking tags, ...): its text and id. */
    private record AddedToken(String content, int id) {}

    private final HuggingFaceTokenizer hf;
    /** The same tokenizer without its added tokens: their text is encoded as ordinary characters. */
    private final HuggingFaceTokenizer plain;
    /** Longest first, so that the longest added token starting at a position wins, as in the tokenizer. */
    private final List<AddedToken> addedTokens;

    private Tokenizer(HuggingFaceTokenizer hf, HuggingFaceTokenizer plain, List<AddedToken> addedTokens) {
        this.hf = hf;
        this.plain = plain;
        this.addedTokens = addedTokens;
    }

    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing file: " + file);
        }
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "maxLength", String.valueOf(Integer.MAX_VALUE));
        try {
            JsonMapper json = JsonMapper.builder().build();
            JsonNode tree = json.readTree(file.toFile());
            List<AddedToken> added = new ArrayList<>();
            for (JsonNode token : tree.path("added_tokens")) {
                String content = token.path("content").asString("");
                if (!content.isEmpty()) {
                    added.add(new AddedToken(content, token.path("id").asInt()));
                }
            }
            added.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
            ObjectNode withoutAdded = (ObjectNode) tree.deepCopy();
            withoutAdded.putArray("added_tokens");
            HuggingFaceTokenizer plain = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.writeValueAsBytes(withoutAdded)), options);
            return new Tokenizer(HuggingFaceTokenizer.newInstance(file, options), plain, List.copyOf(added));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + ": cannot load tokenizer (" + e.getMessage() + ")", e);
        }
    }

    /** Token ids of {@code text}, added tokens written in it recognised (for text the platform wrote). */
    public synchronized int[] encode(String text) {
        return ids(hf.encode(text, false, false));
    }

    /** Token ids of {@code text} with every added token's text encoded as ordinary characters. */
    public synchronized int[] encodePlain(String text) {
        return text.isEmpty() ? new int[0] : ids(plain.encode(text, false, false));
    }

    /**
     * Token ids of {@code text} whose {@code plainSpans} (ordered, not overlapping) came from a caller: added tokens
     * are recognised only outside them. An added token that starts outside and runs into a span is not one either.
     */
    public synchronized int[] encode(String text, List<Span> plainSpans) {
        if (plainSpans.isEmpty()) {
            return encode(text);
        }
        List<int[]> pieces = new ArrayList<>();
        int pieceStart = 0;
        int spanIndex = 0;
        int at = 0;
        while (at < text.length()) {
            while (spanIndex < plainSpans.size() && plainSpans.get(spanIndex).end() <= at) {
                spanIndex++;
            }
            Span span = spanIndex < plainSpans.size() ? plainSpans.get(spanIndex) : null;
            if (span != null && span.start() <= at) {
                at = span.end();
                continue;
            }
            int limit = span == null ? text.length() : span.start();
            AddedToken token = addedTokenAt(text, at, limit);
            if (token == null) {
                at++;
                continue;
            }
            pieces.add(encodePlain(text.substring(pieceStart, at)));
            pieces.add(new int[] {token.id()});
            at += token.content().length();
            pieceStart = at;
        }
        pieces.add(encodePlain(text.substring(pieceStart)));
        return concat(pieces);
    }

    /** The longest added token written at {@code at} that ends by {@code limit}; null when there is none. */
    private AddedToken addedTokenAt(String text, int at, int limit) {
        for (AddedToken token : addedTokens) {
            if (at + token.content().length() <= limit && text.startsWith(token.content(), at)) {
                return token;
            }
        }
        return null;
    }

    private static int[] ids(Encoding encoding) {
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    private static int[] concat(List<int[]> pieces) {
        int length = pieces.stream().mapToInt(p -> p.length).sum();
        int[] out = new int[length];
        int at = 0;
        for (int[] piece : pieces) {
            System.arraycopy(piece, 0, out, at, piece.length);
            at += piece.length;
        }
        return out;
    }

    public synchronized String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return hf.decode(l, false);
    }

    /**
     * The text of each id on its own, in one call (for scanning a whole vocabulary); an id the tokenizer does not
     * know decodes to an empty string.
     */
    public synchronized String[] decodeEach(int[] ids) {
        long[][] batch = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            batch[i] = new long[] {ids[i]};
        }
        return hf.batchDecode(batch, false);
    }

    @Override
    public synchronized void close() {
        hf.close();
        plain.close();
    }
}
