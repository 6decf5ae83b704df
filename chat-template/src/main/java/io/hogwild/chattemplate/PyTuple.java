package io.hogwild.chattemplate;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple: behaves as an immutable list everywhere (indexing, iteration, unpacking) but
 * prints as {@code (a, b)} and never equals a list, like in Python. Produced by tuple literals
 * and by {@code items()} / {@code dictsort}.
 */
final class PyTuple extends AbstractList<Object> {

    private final List<Object> items;

    PyTuple(List<?> items) {
        this.items = Collections.unmodifiableList(new ArrayList<>(items)); // may hold null (None)
    }

    static PyTuple of(Object... items) {
        return new PyTuple(Arrays.asList(items));
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
    public boolean equals(Object o) {
        return o instanceof PyTuple other && items.equals(other.items);
    }

    @Override
    public int hashCode() {
        return items.hashCode();
    }
}
