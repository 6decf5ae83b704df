package io.hogwild.orchestrator.run;

import java.util.Comparator;

/** Redis stream ids ({@code millis-seq}) in stream order: by both numbers, not as text ("5-10" comes after "5-9"). */
public final class StreamIds {

    public static final Comparator<String> ORDER = Comparator.<String>comparingLong(id -> part(id, 0))
            .thenComparingLong(id -> part(id, 1));

    private StreamIds() {
    }

    private static long part(String id, int index) {
        String[] parts = id.split("-");
        return index < parts.length ? Long.parseLong(parts[index]) : 0;
    }
}
