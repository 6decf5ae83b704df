package io.hogwild.demo.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.demo.DemoModels;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed demo model through the real engine and lockstep loop (greedy): two workers in the combined layout
 * solve a held-out problem and split its items between them, eight take one item each, while independent workers,
 * who cannot see each other, repeat each other's work.
 */
class BundledDemoModelTest {

    static ProblemRunner runner;

    @BeforeAll
    static void load() {
        runner = new ProblemRunner(DemoModels.bundled());
    }

    @AfterAll
    static void close() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void twoWorkersSplitTheItemsAndAnswerCorrectly() {
        ItemProblem problem = new ProblemGenerator(2026, ProblemGenerator.Split.TEST).next();
        SolvedProblem solved = runner.solve(problem, Layout.COMBINED, 2, 0, 1);

        assertThat(solved.answer()).as(solved.transcripts().toString()).isEqualTo(problem.answer());
        Set<Character> alice = solved.computedBy().get("Alice");
        Set<Character> bob = solved.computedBy().get("Bob");
        assertThat(alice).as("Alice's items").isNotEmpty();
        assertThat(bob).as("Bob's items").isNotEmpty();
        Set<Character> both = new HashSet<>(alice);
        both.retainAll(bob);
        assertThat(both).as("items both computed").isEmpty();
        Set<Character> all = new HashSet<>(alice);
        all.addAll(bob);
        assertThat(all).containsExactlyInAnyOrderElementsOf(problem.letters());
        assertThat(solved.transcripts().get("Alice")).startsWith("**Alice [1]:** ");
    }

    @Test
    void eightWorkersTakeOneItemEachAndAnswerCorrectly() {
        ItemProblem problem = new ProblemGenerator(2027, ProblemGenerator.Split.TEST).next();
        SolvedProblem solved = runner.solve(problem, Layout.COMBINED, 8, 0, 1);

        assertThat(solved.answer()).as(solved.transcripts().toString()).isEqualTo(problem.answer());
        assertThat(solved.computedBy().values()).as(solved.transcripts().toString())
                .allSatisfy(items -> assertThat(items).hasSize(1));
        assertThat(solved.duplicatedItems()).isZero();
    }

    @Test
    void twoWorkersFinishSoonerThanOneAndIndependentOnesDuplicate() {
        List<ItemProblem> problems = new ProblemGenerator(7, ProblemGenerator.Split.TEST).next(3);
        long single = 0;
        long pair = 0;
        long duplicatedIndependent = 0;
        for (ItemProblem p : problems) {
            single += runner.solve(p, Layout.COMBINED, 1, 0, 1).lockstepPasses();
            pair += runner.solve(p, Layout.COMBINED, 2, 0, 1).lockstepPasses();
            duplicatedIndependent += runner.solve(p, Layout.INDEPENDENT, 2, 0, 1).duplicatedItems();
        }
        assertThat((double) pair / single).isLessThan(0.62);
        assertThat(duplicatedIndependent).isGreaterThanOrEqualTo(problems.size() * 4L);
    }
}
