package io.hogwild.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.hogwild.engine.model.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint's {@code tokenizer.json} (Hugging Face tokenizers, through DJL), used exactly as transformers does:
 * no special tokens added around plain text, special tokens written in the text are recognised, and decoding keeps
 * them.
 *
 * <p>Calls into the native tokenizer are serialised: every session's lockstep thread decodes through the one
 * tokenizer of the served model, the calls are short, and one lock rules out any native concurrency issue.
 */
public final class Tokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer hf;

    private Tokenizer(HuggingFaceTokenizer hf) {
        this.hf = hf;
    }

    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing file: " + file);
        }
        try {
            return new Tokenizer(HuggingFaceTokenizer.newInstance(file, Map.of(
                    "addSpecialTokens", "false",
                    "truncation", "false",
                    "padding", "false",
                    "maxLength", String.valueOf(Integer.MAX_VALUE))));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + ": cannot load tokenizer (" + e.getMessage() + ")", e);
        }
    }

    public synchronized int[] encode(String text) {
        Encoding enc = hf.encode(text, false, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
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
    }
}
