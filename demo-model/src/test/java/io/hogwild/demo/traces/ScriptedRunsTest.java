package io.hogwild.demo.traces;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.demo.train.DemoModelShape;
import io.hogwild.demo.train.Trainer;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The scripted collaboration the model learns from: correct, split between workers, and faster with more. */
class ScriptedRunsTest {

    private static final Pattern COMPUTED = Pattern.compile("([A-H]): \\d[-+*]\\d=\\d");

    static LockstepSimulator.Run simulate(ItemProblem problem, Layout layout, int workers, double mistakes, long seed) {
        List<String> names = WorkerNames.first(workers);
        String prompt = new PromptRenderer().render(
                Trainer.modelInfo(DemoModelShape.standard(DemoTokenizerFiles.VOCAB_SIZE)), problem.text(), names,
                layout, false, false);
        return new LockstepSimulator(new LockstepSimulator.Settings(layout, names, mistakes), problem, prompt,
                new Random(seed)).run();
    }

    /** What each worker wrote, prefixes included, rebuilt from the tokens it picked. */
    static List<Set<Character>> computedPerWorker(LockstepSimulator.Run run) {
        return run.generated().stream().map(tokens -> {
            StringBuilder text = new StringBuilder();
            tokens.forEach(text::append);
            Set<Character> items = new LinkedHashSet<>();
            Matcher m = COMPUTED.matcher(text);
            while (m.find()) {
                items.add(m.group(1).charAt(0));
            }
            return items;
        }).toList();
    }

    @Test
    void combinedRunsSplitTheItemsWithoutDuplicatesAndAnswerCorrectly() {
        Map<Integer, Long> steps = new HashMap<>();
        for (ItemProblem p : new ProblemGenerator(3, ProblemGenerator.Split.TRAIN).next(20)) {
            for (int workers = 1; workers <= 8; workers++) {
                LockstepSimulator.Run run = simulate(p, Layout.COMBINED, workers, 0, workers);
                assertThat(run.answer()).isEqualTo(p.answer());
                List<Set<Character>> computed = computedPerWorker(run);
                int total = computed.stream().mapToInt(Set::size).sum();
                Set<Character> union = new LinkedHashSet<>();
                computed.forEach(union::addAll);
                assertThat(union).containsExactlyInAnyOrderElementsOf(p.letters());
                assertThat(total).as("no item computed twice").isEqualTo(p.items().size());
                assertThat(computed).allSatisfy(items -> assertThat(items).hasSizeBetween(
                        p.items().size() / run.generated().size(),
                        (p.items().size() + run.generated().size() - 1) / run.generated().size()));
                steps.merge(workers, run.lockstepPasses(), Long::sum);
            }
        }
        // the eval's targets for the trained model, which can only get there if its teacher does
        assertThat((double) steps.get(2) / steps.get(1)).isLessThan(0.60);
        assertThat((double) steps.get(4) / steps.get(1)).isLessThan(0.40);
        assertThat((double) steps.get(8) / steps.get(1)).isLessThan(0.30);
    }

    @Test
    void simultaneousChoosersTakeConsecutiveOpenItemsInWorkerOrder() {
        ItemProblem p = new ProblemGenerator(9, ProblemGenerator.Split.TRAIN).next();
        LockstepSimulator.Run run = simulate(p, Layout.COMBINED, 4, 0, 1);
        List<Set<Character>> computed = computedPerWorker(run);
        assertThat(computed.get(0)).containsExactly('A', 'E');
        assertThat(computed.get(1)).containsExactly('B', 'F');
        assertThat(computed.get(2)).containsExactly('C', 'G');
        assertThat(computed.get(3)).containsExactly('D', 'H');
    }

    @Test
    void independentWorkersCannotSeeEachOtherAndRepeatEverything() {
        ItemProblem p = new ProblemGenerator(4, ProblemGenerator.Split.TRAIN).next();
        LockstepSimulator.Run run = simulate(p, Layout.INDEPENDENT, 3, 0, 1);
        assertThat(run.answer()).isEqualTo(p.answer());
        assertThat(computedPerWorker(run)).allSatisfy(items -> assertThat(items).hasSize(8));
    }

    @Test
    void contiguousWorkersSeeEachOthersWholeBlocksAndSplitTheItemsToo() {
        for (ItemProblem p : new ProblemGenerator(8, ProblemGenerator.Split.TRAIN).next(10)) {
            LockstepSimulator.Run run = simulate(p, Layout.CONTIGUOUS, 3, 0, 1);
            assertThat(run.answer()).isEqualTo(p.answer());
            assertThat(computedPerWorker(run).stream().mapToInt(Set::size).sum()).isEqualTo(p.items().size());
            assertThat(run.steps()).allSatisfy(step -> assertThat(step.promotedAt())
                    .isEqualTo(LockstepSimulator.NEVER));
        }
    }

    @Test
    void interleavedWorkersOnlySeeFinishedStepsAndStillAnswerCorrectly() {
        for (ItemProblem p : new ProblemGenerator(10, ProblemGenerator.Split.TRAIN).next(10)) {
            LockstepSimulator.Run run = simulate(p, Layout.INTERLEAVED, 3, 0, 1);
            assertThat(run.answer()).isEqualTo(p.answer());
            Set<Character> union = new LinkedHashSet<>();
            computedPerWorker(run).forEach(union::addAll);
            assertThat(union).containsExactlyInAnyOrderElementsOf(p.letters());
        }
    }

    /**
     * Claims are invisible in the interleaved layout, so each worker takes the open item at its own position in
     * worker order; the first round is split without duplicates.
     */
    @Test
    void interleavedWorkersStartOnTheItemAtTheirOwnPosition() {
        ItemProblem p = new ProblemGenerator(12, ProblemGenerator.Split.TRAIN).next();
        LockstepSimulator.Run run = simulate(p, Layout.INTERLEAVED, 4, 0, 1);
        List<Set<Character>> computed = computedPerWorker(run);
        for (int w = 0; w < 4; w++) {
            assertThat(computed.get(w)).first().isEqualTo((char) ('A' + w));
        }
    }

    @Test
    void deliberateMistakesAreNoticedAndRecoveredFrom() {
        int recoveries = 0;
        for (ItemProblem p : new ProblemGenerator(5, ProblemGenerator.Split.TRAIN).next(30)) {
            LockstepSimulator.Run run = simulate(p, Layout.COMBINED, 3, 0.3, p.hashCode());
            assertThat(run.answer()).isEqualTo(p.answer());
            for (LockstepSimulator.Step step : run.steps()) {
                WrittenText text = step.text();
                int taken = text.text().indexOf(ScriptedPolicy.TAKEN);
                if (taken > 0) {
                    recoveries++;
                    assertThat(text.kind(taken - 1)).as("the wrong letter").isEqualTo(CharKind.MISTAKE);
                    assertThat(text.kind(taken)).isEqualTo(CharKind.DECISION);
                }
            }
        }
        assertThat(recoveries).isPositive();
    }

    /**
     * Each step starts with its fed prefix (the first with the worker's opening line), written in one lockstep pass
     * together with the previous step's last character, and is promoted after that pass.
     */
    @Test
    void stepsAreRecordedAsTheLoopWritesThem() {
        ItemProblem p = new ProblemGenerator(6, ProblemGenerator.Split.TRAIN).next();
        LockstepSimulator.Run run = simulate(p, Layout.COMBINED, 2, 0, 1);
        for (LockstepSimulator.Step step : run.steps()) {
            String text = step.text().text();
            if (text.isEmpty()) {
                continue; // started as the run ended: its prefix was never written
            }
            String prefix = text.substring(0, text.indexOf(":** ") + 4);
            assertThat(prefix).matches("\\*\\*(Alice|Bob) \\[\\d+\\]:\\*\\* ");
            if (step.step() == 1) {
                prefix = text.substring(0, text.indexOf("here. ") + 6);
                assertThat(prefix).endsWith(":** Hello, " + (step.worker() == 0 ? "Alice" : "Bob") + " here. ");
            }
            for (int i = 0; i < prefix.length(); i++) {
                assertThat(step.text().kind(i)).isEqualTo(CharKind.FED);
                assertThat(step.text().time(i)).isEqualTo(step.text().time(0));
            }
            if (step.promotedAt() != LockstepSimulator.NEVER) {
                assertThat(text).endsWith(".\n\n");
                assertThat(step.promotedAt()).isEqualTo(step.text().lastTime());
            }
        }
    }
}
