package io.hogwild.engine.bench;

import io.hogwild.engine.model.Architecture;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RopeScaling;
import java.util.Map;

/** Model dimensions the benchmark can run with random weights. */
final class BenchShapes {

    private BenchShapes() {}

    static final Map<String, ModelConfig> SHAPES = Map.of(
            // The real Qwen3-0.6B dimensions (tied embeddings, 151936-token vocabulary).
            "qwen3-0.6b", new ModelConfig(Architecture.QWEN3, 1024, 3072, 28, 16, 8, 128, 151936, 1e-6, true, 40960,
                    RopeScaling.plain(1_000_000), null),
            // Qwen3-1.7B.
            "qwen3-1.7b", new ModelConfig(Architecture.QWEN3, 2048, 6144, 28, 16, 8, 128, 151936, 1e-6, true, 40960,
                    RopeScaling.plain(1_000_000), null),
            // Qwen3-8B: the 8B class the GPU goals are stated for (untied embeddings).
            "qwen3-8b", new ModelConfig(Architecture.QWEN3, 4096, 12288, 36, 32, 8, 128, 151936, 1e-6, false, 40960,
                    RopeScaling.plain(1_000_000), null),
            // A few-MB model for smoke tests of the benchmark itself.
            "tiny", new ModelConfig(Architecture.QWEN3, 64, 176, 3, 4, 2, 32, 512, 1e-6, false, 4096,
                    RopeScaling.plain(1_000_000), null),
            // The tiny model's layers, 32 deep: arithmetic is negligible, so a pass costs what its operators'
            // dispatch costs (what a GPU pays per kernel launch for a real model).
            "deep-tiny", new ModelConfig(Architecture.QWEN3, 64, 176, 32, 4, 2, 32, 512, 1e-6, false, 4096,
                    RopeScaling.plain(1_000_000), null));

    static ModelConfig byName(String name) {
        ModelConfig c = SHAPES.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown shape '" + name + "' (known: "
                    + String.join(", ", new java.util.TreeSet<>(SHAPES.keySet())) + ")");
        }
        return c;
    }
}
