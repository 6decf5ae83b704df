package io.hogwild.engine.attention;

/** How a session's workers attend to the shared cache. Both give the same logits; they differ in cost. */
public enum AttentionMode {
    /**
     * Queries are rotated once per distinct block offset, and each block's keys and values are read once per pass
     * for all workers together.
     */
    SHARED,
    /**
     * Each worker's view is materialised by re-rotating and concatenating every block's keys, then ordinary
     * attention: the test oracle and the benchmark baseline.
     */
    NAIVE;

    public static AttentionMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown attention mode '" + s + "' (expected shared or naive)");
        }
    }

    public Attention create() {
        return this == SHARED ? new SharedAttention() : new NaiveAttention();
    }
}
