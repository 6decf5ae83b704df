package io.hogwild.collaboration.prompt;

import java.util.List;

/** Display names of a run's workers, in order; short, distinct first letters so steps are easy to tell apart. */
public final class WorkerNames {

    public static final List<String> ALL =
            List.of("Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi");

    private WorkerNames() {
    }

    /** The first {@code count} names. */
    public static List<String> first(int count) {
        if (count < 1 || count > ALL.size()) {
            throw new IllegalArgumentException("between 1 and " + ALL.size() + " workers, not " + count);
        }
        return ALL.subList(0, count);
    }
}
