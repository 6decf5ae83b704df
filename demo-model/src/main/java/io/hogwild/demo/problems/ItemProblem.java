package io.hogwild.demo.problems;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A problem of independent items whose results are collected, in order, in the final {@code \boxed{...}}. Parallel
 * work pays off: any worker may compute any item, and only the final answer needs them all.
 */
public record ItemProblem(List<Item> items) {

    public static final String INSTRUCTION = "Compute every item, then answer with each letter and its result: ";

    public ItemProblem {
        items = List.copyOf(items);
    }

    /** The problem as a user would pose it. */
    public String text() {
        return INSTRUCTION + items.stream().map(Item::definition).collect(Collectors.joining(", ")) + ".";
    }

    /**
     * The expected content of {@code \boxed{...}}: each letter followed by its result, in order, e.g. {@code A7B5C4}.
     * The letters make each result a lookup by name (the letter's work step) rather than by position, which a small
     * model learns far more easily, at the cost of one character per item.
     */
    public String answer() {
        return items.stream().map(i -> "" + i.letter() + i.result()).collect(Collectors.joining());
    }

    public Item item(char letter) {
        return items.stream().filter(i -> i.letter() == letter).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no item " + letter));
    }

    public List<Character> letters() {
        return items.stream().map(Item::letter).toList();
    }
}
