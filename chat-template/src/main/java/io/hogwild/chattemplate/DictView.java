package io.hogwild.chattemplate;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The result of {@code dict.items()}, {@code keys()} or {@code values()}: iterates like a list but
 * prints like Python's view objects ({@code dict_items([('a', 1)])}).
 */
final class DictView extends AbstractList<Object> {

    private final String kind;
    private final List<Object> items;

    DictView(String kind, List<?> items) {
        this.kind = kind;
        this.items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    String kind() {
        return kind;
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public String toString() {
        return kind + "(" + PyOps.repr(items) + ")";
    }
}
