package io.hogwild.demo.traces;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hogwild.contracts.Layout;
import io.hogwild.demo.TinyDemoCheckpoint;
import io.hogwild.demo.eval.ProblemRunner;
import io.hogwild.demo.checkpoint.CheckpointWriter;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.demo.train.AttentionLayout;
import io.hogwild.demo.train.TrainableTransformer;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.engine.LanguageModel;
import io.hogwild.lockstep.ModelDescription;
import io.hogwild.lockstep.SessionRun;
import io.hogwild.lockstep.TokenChooser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training computes what the GPU worker computes: a scripted run is forced through the real {@link io.hogwild.lockstep.LockstepLoop}
 * (real engine, shared cache, real plan), and for every token a worker picked, the logits the loop gave it equal the
 * training pass's logits at that token of the run's {@link CacheTrace}. The weights are scaled up so that attention
 * is sharp: a key seen at a wrong distance, or seen when it should not be, moves the logits far beyond the tolerance.
 */
class CacheTraceMatchesEngineTest {

    private static final long SEED = 9;
    private static final float SHARPEN = 12f;

    @TempDir
    static Path dir;
    static NDManager manager;
    static TrainableTransformer trainable;
    static LanguageModel model;

    @BeforeAll
    static void sharpModel() {
        manager = NDManager.newBaseManager("PyTorch");
        trainable = new TrainableTransformer(TinyDemoCheckpoint.SHAPE, manager, SEED);
        trainable.parameters().forEach((name, p) -> {
            if (TrainableTransformer.decays(name)) {
                p.muli(SHARPEN);
            }
        });
        DemoTokenizerFiles.write(dir);
        CheckpointWriter.write(dir, trainable, Map.of("test", true));
        model = LanguageModel.load(dir);
    }

    @AfterAll
    static void close() {
        model.close();
        trainable.close();
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({"COMBINED,1,0", "COMBINED,4,0.2", "COMBINED,8,0.2", "INTERLEAVED,3,0.2", "INTERLEAVED,8,0.2",
            "CONTIGUOUS,3,0.2", "CONTIGUOUS,8,0.2", "INDEPENDENT,3,0.2", "INDEPENDENT,8,0.1", "SINGLE,1,0.2"})
    void everyPickedTokenHasTheEnginesLogitsInTraining(Layout layout, int workers, double mistakes) {
        ItemProblem problem = new ProblemGenerator(workers + 20, ProblemGenerator.Split.TRAIN).next();
        List<String> names = WorkerNames.first(workers);
        String prompt = new PromptRenderer().render(ModelDescription.describe(dir, "sharp", model), problem.text(), names,
                layout, false, false);
        LockstepSimulator.Run simulated = new LockstepSimulator(
                new LockstepSimulator.Settings(layout, names, mistakes), problem, prompt, new Random(workers)).run();

        RunSettings settings = simulated.runSettings();
        List<Iterator<Character>> scripts = simulated.generated().stream().map(List::iterator).toList();
        List<List<float[]>> engineLogits = new ArrayList<>();
        names.forEach(n -> engineLogits.add(new ArrayList<>()));
        TokenChooser.Factory replay = (index, worker, sampling) -> logits -> {
            engineLogits.get(index).add(logits.clone());
            return model.tokenizer().encode(String.valueOf(scripts.get(index).next()))[0];
        };
        SessionRun run = ProblemRunner.runLoop(model, prompt, settings, replay);

        CacheTrace trace = CacheTrace.of(simulated, model.tokenizer());
        int vocab = TinyDemoCheckpoint.SHAPE.vocabSize();
        float[] training;
        try (NDManager step = manager.newSubManager()) {
            int[] ids = new int[trace.length()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = trace.id(i);
            }
            NDArray tokens = step.create(ids, new Shape(1, ids.length));
            training = trainable.logits(tokens, AttentionLayout.of(List.of(trace), TinyDemoCheckpoint.SHAPE, step),
                    step).toFloatArray();
        }

        int[] picks = trace.picks();
        int[] seenPerWorker = new int[workers];
        double worst = 0;
        double spread = 0;
        for (int k = 0; k < picks.length; k++) {
            int worker = simulated.sampled().get(k).worker();
            float[] engine = engineLogits.get(worker).get(seenPerWorker[worker]++);
            float reference = engine[DemoTokenizerFiles.SPECIAL.size() + 'a'];
            for (int v = 0; v < vocab; v++) {
                if (!Float.isFinite(engine[v])) {
                    continue; // masked by the loop: a token the worker may not write (training has no mask)
                }
                worst = Math.max(worst, Math.abs(engine[v] - training[picks[k] * vocab + v]));
                spread = Math.max(spread, Math.abs(engine[v] - reference));
            }
        }
        assertThat(picks).hasSize(simulated.sampled().size()).isNotEmpty();
        assertThat(spread).as("the logits are far from uniform").isGreaterThan(1.0);
        assertThat(worst).as("largest difference, engine vs training").isLessThan(2e-4);
    }
}
