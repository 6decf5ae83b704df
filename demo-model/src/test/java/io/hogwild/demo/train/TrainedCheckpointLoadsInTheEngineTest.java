package io.hogwild.demo.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hogwild.demo.TinyDemoCheckpoint;
import io.hogwild.demo.checkpoint.CheckpointWriter;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training forward pass and the engine must be the same model: a checkpoint written from the trainable model
 * loads through the engine's ordinary path (config, safetensors, tokenizer) and gives the same logits.
 */
class TrainedCheckpointLoadsInTheEngineTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "qk norm (Qwen3): {0}")
    @ValueSource(booleans = {false, true})
    void engineLogitsEqualTrainingLogits(boolean qkNorm) {
        DemoModelShape tiny = TinyDemoCheckpoint.SHAPE;
        DemoModelShape shape = new DemoModelShape(qkNorm, tiny.vocabSize(), tiny.hidden(), tiny.layers(), tiny.heads(),
                tiny.kvHeads(), tiny.headDim(), tiny.intermediate(), tiny.contextLimit(), tiny.ropeTheta(), tiny.rmsNormEps());
        DemoTokenizerFiles.write(dir);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             TrainableTransformer trainable = new TrainableTransformer(shape, manager, 3)) {
            // Move the weights off their initial values so norms and every projection matter.
            trainable.parameters().values().forEach(p -> p.addi(manager.randomNormal(0, 0.05f, p.getShape(),
                    p.getDataType())));
            CheckpointWriter.write(dir, trainable, Map.of());
            try (LanguageModel engine = LanguageModel.load(dir)) {
                assertThat(engine.config().architecture().name()).isEqualTo(qkNorm ? "QWEN3" : "LLAMA");
                int[] ids = engine.tokenizer().encode("<|im_start|>user\nA=3+4, B=9-5.<|im_end|>\n**Bob [2]:** B: 9-5=4.");
                assertThat(ids[0]).isEqualTo(1); // <|im_start|> is one special token
                assertThat(engine.tokenizer().decode(java.util.Arrays.copyOfRange(ids, 1, ids.length)))
                        .isEqualTo("user\nA=3+4, B=9-5.<|im_end|>\n**Bob [2]:** B: 9-5=4.");

                float[][] expected;
                try (NDManager step = manager.newSubManager()) {
                    NDArray tokens = step.create(ids, new Shape(1, ids.length));
                    NDArray logits = trainable.logits(tokens, step);
                    float[] flat = logits.toFloatArray();
                    expected = new float[ids.length][shape.vocabSize()];
                    for (int t = 0; t < ids.length; t++) {
                        System.arraycopy(flat, t * shape.vocabSize(), expected[t], 0, shape.vocabSize());
                    }
                }
                float[][] actual;
                try (HogwildSession session = new HogwildSession(engine.transformer(), AttentionMode.SHARED)) {
                    session.createBlocks(List.of("all"));
                    session.setView("w", List.of("all"));
                    actual = session.forward(List.of(new Write("w", ids)), Transformer.Readout.ALL).get("w");
                }
                double worst = 0;
                for (int t = 0; t < ids.length; t++) {
                    for (int v = 0; v < shape.vocabSize(); v++) {
                        worst = Math.max(worst, Math.abs(actual[t][v] - expected[t][v]));
                    }
                }
                assertThat(worst).isLessThan(1e-4);
            }
        }
    }
}
