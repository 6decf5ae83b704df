package io.hogwild.client;

/** Event ids are Redis stream ids ({@code <millis>-<seq>}), ordered by both numbers. */
final class EventIds {

    private EventIds() {
    }

    /** Whether {@code id} comes after {@code last}; everything does when {@code last} is null. */
    static boolean isAfter(String id, String last) {
        if (last == null || id == null) {
            return true;
        }
        long[] a = parse(id);
        long[] b = parse(last);
        if (a == null || b == null) {
            return !id.equals(last);
        }
        return a[0] != b[0] ? a[0] > b[0] : a[1] > b[1];
    }

    private static long[] parse(String id) {
        int dash = id.indexOf('-');
        try {
            return dash < 0 ? new long[] {Long.parseLong(id), 0}
                    : new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
