package io.hogwild.demo.traces;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.demo.train.DemoModelShape;
import io.hogwild.demo.train.Trainer;
import io.hogwild.orchestrator.prompt.PromptRenderer;
import io.hogwild.orchestrator.prompt.PromptTexts;
import io.hogwild.orchestrator.prompt.WorkerNames;
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
                false, false);
        return new LockstepSimulator(new LockstepSimulator.Settings(layout, names, mistakes, 0.25), problem, prompt,
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
            for (int workers = 1; workers <= 4; workers++) {
                LockstepSimulator.Run run = simulate(p, Layout.COMBINED, workers, 0, workers);
                assertThat(run.answer()).isEqualTo(p.answer());
                List<Set<Character>> computed = computedPerWorker(run);
                int total = computed.stream().mapToInt(Set::size).sum();
                Set<Character> union = new LinkedHashSet<>();
                computed.forEach(union::addAll);
                assertThat(union).containsExactlyInAnyOrderElementsOf(p.letters());
                assertThat(total).as("no item computed twice").isEqualTo(p.items().size());
                assertThat(computed).allSatisfy(items -> assertThat(items).hasSizeBetween(
                        p.items().size() / run.generated().size(), (p.items().size() + 2) / run.generated().size()));
                steps.merge(workers, run.lockstepSteps(), Long::sum);
            }
        }
        assertThat((double) steps.get(2) / steps.get(1)).isLessThan(0.65);
        assertThat((double) steps.get(4) / steps.get(1)).isLessThan(0.45);
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
    void deliberateMistakesAreNoticedAndRecoveredFrom() {
        int recoveries = 0;
        for (ItemProblem p : new ProblemGenerator(5, ProblemGenerator.Split.TRAIN).next(30)) {
            LockstepSimulator.Run run = simulate(p, Layout.COMBINED, 3, 0.3, p.hashCode());
            assertThat(run.answer()).isEqualTo(p.answer());
            for (TraceExample e : run.examples()) {
                TraceExample.Piece own = e.pieces().get(e.pieces().size() - 1);
                String text = own.text().text();
                int taken = text.indexOf(ScriptedPolicy.TAKEN);
                if (taken > 0) {
                    recoveries++;
                    assertThat(own.text().kind(taken - 1)).isEqualTo(CharKind.MISTAKE);
                    assertThat(own.learns(taken - 1)).as("the wrong letter is never learned").isFalse();
                    assertThat(own.learns(taken)).isEqualTo(!own.late());
                }
            }
        }
        assertThat(recoveries).isPositive();
    }

    /**
     * A worker's own tokens see another worker's current step only as far as it was written by then: when Alice
     * chooses her first item, Bob's step is just its prefix, although the example holds all of it.
     */
    @Test
    void ownTokensSeeOtherStepsOnlyAsFarAsTheyWereWritten() {
        ItemProblem p = new ProblemGenerator(8, ProblemGenerator.Split.TRAIN).next();
        LockstepSimulator.Run run = simulate(p, Layout.COMBINED, 2, 0, 1);
        TraceExample first = run.examples().stream()
                .filter(e -> e.pieces().get(e.pieces().size() - 1).text().text().startsWith("**Alice [1]:** "))
                .findFirst().orElseThrow();
        var tokenizer = io.hogwild.worker.engine.tokenizer.Tokenizer.load(
                io.hogwild.demo.TinyDemoCheckpoint.write(java.nio.file.Path.of("target/mask-test"), 1));
        TraceExample.Tokens t = first.tokenize(tokenizer);
        String bob = "**Bob [1]:** " + p.item('B').work() + "\n\n";
        String own = "**Alice [1]:** " + p.item('A').work() + "\n\n";
        assertThat(first.pieces().get(first.pieces().size() - 2).text().text()).isEqualTo(bob);
        assertThat(first.pieces().get(first.pieces().size() - 1).text().text()).isEqualTo(own);
        int ownStart = t.ids().length - own.length();
        int bobStart = ownStart - bob.length();
        int decisionQuery = ownStart + "**Alice [1]:** ".length() - 1; // the last prefix token predicts the choice
        for (int k = bobStart; k < ownStart; k++) {
            boolean prefix = k < bobStart + "**Bob [1]:** ".length();
            assertThat(t.sees(decisionQuery, k)).as("Bob's token %d", k - bobStart).isEqualTo(prefix);
        }
        // By the time Alice writes her result, Bob's letter and operands are there; his closing blank line is not.
        int resultQuery = ownStart + own.indexOf('=');
        assertThat(t.sees(resultQuery, bobStart + "**Bob [1]:** B".length() - 1)).isTrue();
        assertThat(t.sees(resultQuery, ownStart - 1)).isFalse();
        // Fixed text and history are always visible, and nothing sees the future.
        assertThat(t.sees(decisionQuery, 0)).isTrue();
        assertThat(t.sees(bobStart, bobStart + 1)).isFalse();
        tokenizer.close();
    }

    @Test
    void examplesEndWithTheWorkersOwnStepInThePlanOrder() {
        ItemProblem p = new ProblemGenerator(6, ProblemGenerator.Split.TRAIN).next();
        LockstepSimulator.Run run = simulate(p, Layout.COMBINED, 2, 0, 1);
        for (TraceExample e : run.examples()) {
            List<TraceExample.Piece> pieces = e.pieces();
            assertThat(pieces.get(1).text().text()).isEqualTo(PromptTexts.HISTORY_HEADER);
            assertThat(pieces).filteredOn(x -> x.text().text().equals(PromptTexts.IN_PROGRESS_HEADER)).hasSize(1);
            TraceExample.Piece own = pieces.get(pieces.size() - 1);
            assertThat(own.role()).isEqualTo(TraceExample.Role.OWN);
            assertThat(own.text().text()).startsWith("**").contains("]:** ");
            String prefix = own.text().text().substring(0, own.text().text().indexOf(":** ") + 4);
            assertThat(prefix).matches("\\*\\*(Alice|Bob) \\[\\d+\\]:\\*\\* ");
            for (int i = 0; i < prefix.length(); i++) {
                assertThat(own.learns(i)).as("the fed prefix is never learned").isFalse();
            }
        }
    }
}
