package io.hogwild.demo.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.hogwild.demo.TinyDemoCheckpoint;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.traces.CacheTrace;
import io.hogwild.demo.traces.TraceGenerator;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    Path dir;

    /** Loss on one fixed batch falls while fitting it; nothing leaks into the long-lived managers. */
    @Test
    void fitsABatchAndKeepsOnlyParametersAndMomentsAlive() {
        DemoModelShape shape = TinyDemoCheckpoint.SHAPE;
        DemoTokenizerFiles.write(dir);
        try (Tokenizer tokenizer = Tokenizer.load(dir);
             NDManager root = NDManager.newBaseManager("PyTorch");
             TrainableTransformer model = new TrainableTransformer(shape, root, 1)) {
            TraceGenerator traces = new TraceGenerator(1, Trainer.modelInfo(shape), tokenizer);
            List<CacheTrace> batch = List.of(traces.nextRun(), traces.nextRun());
            AdamW optimizer = new AdamW(0.9, 0.98, 1e-8, 0.01);
            float first = 0;
            float last = 0;
            int arraysAfterFirstStep = 0;
            for (int step = 0; step < 30; step++) {
                try (NDManager s = root.newSubManager()) {
                    var arrays = Trainer.Batch.of(batch, shape, s);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = model.loss(arrays.inputs(), arrays.targets(), arrays.mask(), arrays.layout(), s);
                        collector.backward(loss);
                        last = loss.getFloat();
                    }
                    optimizer.step(model.parameters(), 3e-3, 1.0, s);
                }
                if (step == 0) {
                    first = last;
                    arraysAfterFirstStep = countArrays(root);
                }
            }
            assertThat(last).isLessThan(first * 0.6f);
            assertThat(countArrays(root)).isEqualTo(arraysAfterFirstStep);
        }
    }

    @Test
    void batchesKeepAttentionScoresSmallAndCoverTheirExamples() {
        DemoModelShape shape = TinyDemoCheckpoint.SHAPE;
        DemoTokenizerFiles.write(dir);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            var batches = new Trainer.Batches(new TraceGenerator(2, Trainer.modelInfo(shape), tokenizer), 4096, 4,
                    new Random(1));
            for (int i = 0; i < 50; i++) {
                List<CacheTrace> b = batches.next();
                long longest = b.stream().mapToInt(CacheTrace::length).max().orElseThrow();
                if (b.size() > 1) { // a run too long for the limits on its own gets a batch of its own
                    assertThat(b.size() * longest).isLessThanOrEqualTo(4096);
                    assertThat(b.size() * 4 * longest * longest * 4).isLessThanOrEqualTo(30L << 20);
                }
                assertThat(b).allSatisfy(t -> assertThat(t.learnedTokens()).isGreaterThan(50));
            }
        }
    }

    /** {@code --init}: the model starts with the checkpoint's weights, and the new one records the old training. */
    @Test
    void continuingStartsFromTheCheckpointsWeights() {
        Path checkpoint = TinyDemoCheckpoint.write(dir.resolve("old"), 5);
        try (NDManager root = NDManager.newBaseManager("PyTorch");
             TrainableTransformer written = new TrainableTransformer(TinyDemoCheckpoint.SHAPE, root, 5);
             TrainableTransformer loaded = new TrainableTransformer(TinyDemoCheckpoint.SHAPE, root, checkpoint)) {
            assertThat(loaded.parameters().keySet()).containsExactlyElementsOf(written.parameters().keySet());
            written.parameters().forEach((name, values) -> {
                NDArray other = loaded.parameters().get(name);
                assertThat(other.getShape()).as(name).isEqualTo(values.getShape());
                assertThat(other.toFloatArray()).as(name).containsExactly(values.toFloatArray());
            });
        }
        assertThat(io.hogwild.demo.checkpoint.CheckpointWriter.trainingInfo(checkpoint))
                .isEqualTo(java.util.Map.of("test", true));
    }

    @Test
    void learningRateWarmsUpThenDecaysToATenth() {
        TrainOptions o = new TrainOptions(dir, 1, 1000, 4096, 1e-3, 100, 0, 500, null,
                io.hogwild.demo.traces.TraceGenerator.DEFAULT_WORKER_WEIGHTS);
        assertThat(o.learningRate(0)).isEqualTo(1e-5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(o.learningRate(99)).isEqualTo(1e-3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(o.learningRate(550)).isBetween(4e-4, 7e-4);
        assertThat(o.learningRate(999)).isEqualTo(1e-4, org.assertj.core.data.Offset.offset(1e-6));
    }

    private static int countArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}
