package io.hogwild.engine;

import ai.djl.Device;
import io.hogwild.engine.model.GenerationDefaults;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/** A loaded checkpoint folder: the transformer, its tokenizer (when present) and its generation defaults. */
public final class LanguageModel implements AutoCloseable {

    private final Path directory;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final GenerationDefaults defaults;

    private LanguageModel(Path directory, Transformer transformer, Tokenizer tokenizer, GenerationDefaults defaults) {
        this.directory = directory;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.defaults = defaults;
    }

    /** Loads a Hugging Face checkpoint folder on the default device (a GPU when one is present). */
    public static LanguageModel load(Path directory) {
        return load(directory, Engines.defaultDevice());
    }

    /** Loads a checkpoint folder onto {@code device}, computing in the default dtype there ({@link ComputeDtype}). */
    public static LanguageModel load(Path directory, Device device) {
        return load(directory, device, null);
    }

    /**
     * Loads a checkpoint folder onto {@code device}, computing in {@code dtype} ({@code null}: the default there,
     * float32 on the CPU, the checkpoint's own dtype on a GPU).
     */
    public static LanguageModel load(Path directory, Device device, ai.djl.ndarray.types.DataType dtype) {
        if (!Files.isDirectory(directory)) {
            throw new io.hogwild.engine.model.CheckpointException("model folder not found: " + directory);
        }
        ModelConfig config = ModelConfig.load(directory);
        GenerationDefaults defaults = GenerationDefaults.load(directory, config);
        Transformer transformer = dtype == null ? Transformer.load(directory, device)
                : Transformer.load(directory, device, dtype);
        Tokenizer tokenizer = null;
        try {
            if (Files.isRegularFile(directory.resolve("tokenizer.json"))) {
                tokenizer = Tokenizer.load(directory);
            }
        } catch (RuntimeException e) {
            transformer.close();
            throw e;
        }
        return new LanguageModel(directory, transformer, tokenizer, defaults);
    }

    public Path directory() {
        return directory;
    }

    public Transformer transformer() {
        return transformer;
    }

    public ModelConfig config() {
        return transformer.config();
    }

    /** The tokenizer; fails with a clear message when the folder has no {@code tokenizer.json}. */
    public Tokenizer tokenizer() {
        if (tokenizer == null) {
            throw new io.hogwild.engine.model.CheckpointException(
                    "missing file: " + directory.resolve("tokenizer.json"));
        }
        return tokenizer;
    }

    public GenerationDefaults defaults() {
        return defaults;
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        transformer.close();
    }
}
