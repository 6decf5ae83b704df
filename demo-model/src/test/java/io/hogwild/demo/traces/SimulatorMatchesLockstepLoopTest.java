package io.hogwild.demo.traces;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.SessionFinished;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.demo.TinyDemoCheckpoint;
import io.hogwild.demo.eval.ProblemRunner;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
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
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.attention.AttentionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The training traces are only right if the simulator's timing is the GPU worker's: the tokens each simulated worker
 * picked are forced through the real {@link io.hogwild.lockstep.LockstepLoop} (real engine, real plan from the orchestrator's builder),
 * and every token must be picked by the same worker in the same lockstep pass, with the same answer at the end.
 */
class SimulatorMatchesLockstepLoopTest {

    @TempDir
    static Path dir;
    static LanguageModel model;

    @BeforeAll
    static void load() {
        model = LanguageModel.load(TinyDemoCheckpoint.write(dir.resolve("tiny"), 5));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /**
     * The prompt is computed as one causal sequence and each header on its own: a lone worker's first logits equal
     * those of a session built that way by hand, which is how the traces present it.
     */
    @Test
    void aLoneWorkerReadsThePromptInContextAndEachHeaderOnItsOwn() {
        ItemProblem problem = new ProblemGenerator(3, ProblemGenerator.Split.TRAIN).next();
        List<String> names = WorkerNames.first(1);
        var info = ModelDescription.describe(dir.resolve("tiny"), "tiny", model);
        String prompt = new PromptRenderer().render(info, problem.text(), names, Layout.COMBINED, false, false);
        RunSettings settings = new RunSettings(problem.text(), names, Layout.COMBINED, 4, 512, 0, 1, 0, 1, 1024, 0,
                false, false);
        List<float[]> seen = new ArrayList<>();
        TokenChooser.Factory capture = (index, worker, sampling) -> logits -> {
            seen.add(logits.clone());
            return model.tokenizer().encode("x")[0];
        };
        SessionRun run = ProblemRunner.runLoop(model, prompt, settings, capture);

        // What the loop must compute: the prompt as one causal sequence, each header on its own (its keys depend on
        // nothing but its text), then the worker's first write (prefix and opening line) reading all of them.
        String firstWrite = PromptTexts.stepPrefix(PromptTexts.STEP_PREFIX_FORMAT, "Alice", 1)
                + PromptTexts.stepPrefix(PromptTexts.OPENING_FORMAT, "Alice", 1);
        float[] single;
        try (HogwildSession session = new HogwildSession(model.transformer(), AttentionMode.SHARED)) {
            session.createBlocks(List.of("prompt", "history-header", "own-header", "step"));
            session.setView("p", List.of("prompt"));
            session.setView("h", List.of("history-header"));
            session.setView("o", List.of("own-header"));
            session.setView("w", List.of("prompt", "history-header", "own-header", "step"));
            session.prefill("p", model.tokenizer().encode(prompt), 4096);
            session.prefill("h", model.tokenizer().encode(PromptTexts.HISTORY_HEADER), 4096);
            session.prefill("o", model.tokenizer().encode(PromptTexts.OWN_HEADER), 4096);
            single = session.prefill("w", model.tokenizer().encode(firstWrite), 4096);
        }
        float[] first = seen.get(0);
        for (int v = 0; v < single.length; v++) {
            if (Float.isFinite(first[v])) { // the loop masks the tokens a worker may not write
                assertThat(first[v]).isCloseTo(single[v], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"COMBINED,1,0", "COMBINED,3,0.3", "COMBINED,4,0.2", "COMBINED,8,0.2", "INTERLEAVED,3,0",
            "INTERLEAVED,8,0.2", "CONTIGUOUS,3,0.2", "CONTIGUOUS,8,0.2", "INDEPENDENT,2,0", "INDEPENDENT,8,0.1",
            "SINGLE,1,0.2"})
    void everyTokenIsPickedInTheSameLockstepPassByTheSameWorker(Layout layout, int workers, double mistakes) {
        ItemProblem problem = new ProblemGenerator(workers, ProblemGenerator.Split.TRAIN).next();
        List<String> names = WorkerNames.first(workers);
        var info = ModelDescription.describe(dir.resolve("tiny"), "tiny", model);
        String prompt = new PromptRenderer().render(info, problem.text(), names, layout, false, false);
        LockstepSimulator.Run simulated = new LockstepSimulator(
                new LockstepSimulator.Settings(layout, names, mistakes), problem, prompt, new Random(11)).run();

        RunSettings settings = simulated.runSettings();
        List<Iterator<Character>> scripts = simulated.generated().stream().map(List::iterator).toList();
        TokenChooser.Factory replay = (index, worker, sampling) -> logits ->
                model.tokenizer().encode(String.valueOf(scripts.get(index).next()))[0];
        SessionRun run = ProblemRunner.runLoop(model, prompt, settings, replay);

        List<String> real = new ArrayList<>();
        String answer = null;
        long steps = -1;
        for (SessionEvent e : run.events().snapshot()) {
            if (e.data() instanceof Tokens tokens) {
                real.add(e.lockstep() + "/" + names.indexOf(tokens.worker()) + "/" + tokens.text().charAt(0));
            } else if (e.data() instanceof FinalAnswer written) {
                answer = written.answer();
            } else if (e.data() instanceof SessionFinished finished) {
                steps = finished.lockstepPasses();
            }
        }
        assertThat(real).isEqualTo(simulated.sampled().stream()
                .map(s -> s.lockstep() + "/" + s.worker() + "/" + s.token()).toList());
        assertThat(answer).isEqualTo(simulated.answer()).isEqualTo(problem.answer());
        assertThat(steps).isEqualTo(simulated.lockstepPasses());
    }
}
