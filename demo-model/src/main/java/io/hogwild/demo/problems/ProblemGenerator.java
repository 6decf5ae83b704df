package io.hogwild.demo.problems;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded problems with a fixed held-out split: a problem belongs to the test split when a stable hash of its text
 * falls in one tenth of the range, so training never sees a test problem whatever seeds either side uses.
 */
public final class ProblemGenerator {

    /** Items per problem: 8 splits evenly between 1, 2 and 4 workers. */
    public static final int ITEMS = 8;
    private static final char[] OPERATORS = {'+', '-', '*'};

    public enum Split { TRAIN, TEST }

    private final Random random;
    private final Split split;

    public ProblemGenerator(long seed, Split split) {
        this.random = new Random(seed);
        this.split = split;
    }

    public static Split splitOf(ItemProblem problem) {
        return Math.floorMod(problem.text().hashCode() * 0x9E3779B1, 10) == 0 ? Split.TEST : Split.TRAIN;
    }

    public ItemProblem next() {
        while (true) {
            ItemProblem p = draw();
            if (splitOf(p) == split) {
                return p;
            }
        }
    }

    public List<ItemProblem> next(int count) {
        List<ItemProblem> problems = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            problems.add(next());
        }
        return problems;
    }

    private ItemProblem draw() {
        List<Item> items = new ArrayList<>(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            items.add(item((char) ('A' + i)));
        }
        return new ItemProblem(items);
    }

    /** A one-digit computation with a one-digit result (0-9), each operator equally likely. */
    private Item item(char letter) {
        char op = OPERATORS[random.nextInt(OPERATORS.length)];
        while (true) {
            int a = random.nextInt(10);
            int b = random.nextInt(10);
            Item item = new Item(letter, a, op, b);
            int r = item.result();
            if (r >= 0 && r <= 9) {
                return item;
            }
        }
    }
}
