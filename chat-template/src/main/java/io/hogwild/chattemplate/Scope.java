package io.hogwild.chattemplate;

import java.util.HashMap;
import java.util.Map;

/**
 * A frame of variables. Lookups walk outwards; {@code set} always writes to this frame. Each for
 * loop iteration and each macro call gets a fresh child frame, which reproduces Jinja's rule that
 * assignments inside a loop are not visible after it (nor in the next iteration) while
 * {@code if} blocks share their enclosing frame.
 */
final class Scope {

    /** Returned by {@link #lookup} when a name is bound nowhere (null is Python's None). */
    static final Object MISSING = new Object();

    private final Scope parent;
    private final Map<String, Object> variables = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Scope scope = this; scope != null; scope = scope.parent) {
            if (scope.variables.containsKey(name)) {
                return scope.variables.get(name);
            }
        }
        return MISSING;
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }

    Scope child() {
        return new Scope(this);
    }
}
