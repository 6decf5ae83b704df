package io.hogwild.demo;

import ai.djl.ndarray.NDManager;
import io.hogwild.demo.checkpoint.CheckpointWriter;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.train.DemoModelShape;
import io.hogwild.demo.train.TrainableTransformer;
import java.nio.file.Path;
import java.util.Map;

/** An untrained checkpoint in the demo model's format (its tokenizer, a small Qwen3 with GQA), for fast tests. */
public final class TinyDemoCheckpoint {

    public static final DemoModelShape SHAPE =
            new DemoModelShape(false, DemoTokenizerFiles.VOCAB_SIZE, 32, 2, 4, 2, 16, 48, 2048, 10_000.0, 1e-6);

    private TinyDemoCheckpoint() {
    }

    public static Path write(Path dir, long seed) {
        DemoTokenizerFiles.write(dir);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             TrainableTransformer model = new TrainableTransformer(SHAPE, manager, seed)) {
            CheckpointWriter.write(dir, model, Map.of("test", true));
        }
        return dir;
    }
}
