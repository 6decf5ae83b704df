package io.hogwild.chattemplate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object returned by {@code namespace(...)}. It is the only thing whose attributes a template
 * may assign ({@code set ns.x = ...}), which is how templates carry state out of a for loop,
 * whose own {@code set}s are local to each iteration.
 */
final class Namespace {

    private final Map<String, Object> attributes = new LinkedHashMap<>();

    Namespace(Map<String, Object> initial) {
        attributes.putAll(initial);
    }

    boolean has(String name) {
        return attributes.containsKey(name);
    }

    Object get(String name) {
        return attributes.get(name);
    }

    void set(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("<Namespace {");
        attributes.forEach((k, v) -> out.append(out.length() > 12 ? ", " : "").append(PyStrings.repr(k))
                .append(": ").append(PyOps.repr(v)));
        return out.append("}>").toString();
    }
}
