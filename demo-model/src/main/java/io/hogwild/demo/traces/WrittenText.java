package io.hogwild.demo.traces;

import java.util.ArrayList;
import java.util.List;

/**
 * Text with the kind of each character and the lockstep pass it was written in: a step as it sits in the cache,
 * or a piece of a training example. Fixed text has no time ({@link #ALWAYS}): it was there from the start.
 */
public final class WrittenText {

    public static final long ALWAYS = -1;

    private final StringBuilder text = new StringBuilder();
    private final List<CharKind> kinds = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();

    public WrittenText() {
    }

    public WrittenText(String fed) {
        append(fed, CharKind.FED);
    }

    public WrittenText append(String s, CharKind kind) {
        return append(s, kind, ALWAYS);
    }

    public WrittenText append(String s, CharKind kind, long time) {
        text.append(s);
        for (int i = 0; i < s.length(); i++) {
            kinds.add(kind);
            times.add(time);
        }
        return this;
    }

    public WrittenText append(char c, CharKind kind, long time) {
        text.append(c);
        kinds.add(kind);
        times.add(time);
        return this;
    }

    public WrittenText copy() {
        WrittenText c = new WrittenText();
        c.text.append(text);
        c.kinds.addAll(kinds);
        c.times.addAll(times);
        return c;
    }

    /** The characters written up to lockstep pass {@code time} (fixed text included). */
    public WrittenText copyUntil(long time) {
        WrittenText c = new WrittenText();
        for (int i = 0; i < text.length(); i++) {
            if (times.get(i) <= time) {
                c.append(text.charAt(i), kinds.get(i), times.get(i));
            }
        }
        return c;
    }

    /** The lockstep pass character {@code i} was written in, or {@link #ALWAYS}. */
    public long time(int i) {
        return times.get(i);
    }

    /** The time of the last character, or {@link #ALWAYS} when empty. */
    public long lastTime() {
        return times.isEmpty() ? ALWAYS : times.get(times.size() - 1);
    }

    public String text() {
        return text.toString();
    }

    public int length() {
        return text.length();
    }

    public CharKind kind(int i) {
        return kinds.get(i);
    }

    public boolean isEmpty() {
        return text.length() == 0;
    }
}
