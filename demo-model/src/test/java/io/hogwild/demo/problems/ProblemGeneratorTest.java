package io.hogwild.demo.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProblemGeneratorTest {

    @Test
    void sameSeedSameProblems() {
        List<ItemProblem> a = new ProblemGenerator(42, ProblemGenerator.Split.TRAIN).next(20);
        List<ItemProblem> b = new ProblemGenerator(42, ProblemGenerator.Split.TRAIN).next(20);
        assertThat(a).isEqualTo(b);
        assertThat(new ProblemGenerator(43, ProblemGenerator.Split.TRAIN).next(20)).isNotEqualTo(a);
    }

    @Test
    void splitsNeverShareAProblem() {
        Set<String> train = new HashSet<>();
        new ProblemGenerator(1, ProblemGenerator.Split.TRAIN).next(3000).forEach(p -> train.add(p.text()));
        List<ItemProblem> test = new ProblemGenerator(1, ProblemGenerator.Split.TEST).next(300);
        assertThat(test).allSatisfy(p -> {
            assertThat(ProblemGenerator.splitOf(p)).isEqualTo(ProblemGenerator.Split.TEST);
            assertThat(train).doesNotContain(p.text());
        });
    }

    @Test
    void itemsAreOneDigitComputationsCollectedInOrder() {
        ItemProblem p = new ItemProblem(List.of(new Item('A', 3, '+', 4), new Item('B', 9, '-', 5),
                new Item('C', 2, '*', 3)));
        assertThat(p.text()).isEqualTo(
                "Compute every item, then answer with each letter and its result: A=3+4, B=9-5, C=2*3.");
        assertThat(p.answer()).isEqualTo("A7B4C6");
        assertThat(p.item('B').work()).isEqualTo("B: 9-5=4. B=4.");
        for (ItemProblem q : new ProblemGenerator(5, ProblemGenerator.Split.TRAIN).next(200)) {
            assertThat(q.items()).hasSize(ProblemGenerator.ITEMS);
            assertThat(q.items()).allSatisfy(i -> assertThat(i.result()).isBetween(0, 9));
            assertThat(q.letters()).containsExactly('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H');
        }
    }
}
