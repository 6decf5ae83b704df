package io.hogwild.chattemplate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluated arguments of a call, filter or test, with Python-style binding of a parameter by
 * position or by keyword. Helpers name the function so that errors read like Python's.
 */
final class CallArguments {

    private final String function;
    private final List<Object> positional;
    private final Map<String, Object> keywords;

    CallArguments(String function, List<Object> positional, Map<String, Object> keywords) {
        this.function = function;
        this.positional = positional;
        this.keywords = keywords;
    }

    static CallArguments none(String function) {
        return new CallArguments(function, List.of(), Map.of());
    }

    String function() {
        return function;
    }

    List<Object> positional() {
        return positional;
    }

    Map<String, Object> keywords() {
        return keywords;
    }

    int size() {
        return positional.size() + keywords.size();
    }

    boolean has(int position, String name) {
        return (position >= 0 && positional.size() > position) || keywords.containsKey(name);
    }

    /**
     * The argument at {@code position} or named {@code name}, else {@code fallback}. A negative
     * position means keyword-only.
     */
    Object get(int position, String name, Object fallback) {
        if (position >= 0 && positional.size() > position) {
            if (name != null && keywords.containsKey(name)) {
                throw new TemplateException("TypeError: " + function + "() got multiple values for argument '" + name + "'");
            }
            return positional.get(position);
        }
        if (name != null && keywords.containsKey(name)) {
            return keywords.get(name);
        }
        return fallback;
    }

    Object required(int position, String name) {
        if (!has(position, name)) {
            throw new TemplateException("TypeError: " + function + "() missing required argument '" + name + "'");
        }
        return get(position, name, null);
    }

    String string(int position, String name, String fallback) {
        Object value = get(position, name, fallback);
        if (value != null && !(value instanceof String)) {
            throw new TemplateException("TypeError: " + function + "() argument '" + name + "' must be str, not "
                    + PyOps.typeName(value));
        }
        return (String) value;
    }

    boolean bool(int position, String name, boolean fallback) {
        return PyOps.truthy(get(position, name, fallback));
    }

    /** Fails if more positional arguments than {@code maxPositional} or unknown keywords were given. */
    CallArguments accept(int maxPositional, String... keywordNames) {
        if (positional.size() > maxPositional) {
            throw new TemplateException("TypeError: " + function + "() takes at most " + maxPositional
                    + " positional argument(s) (" + positional.size() + " given)");
        }
        for (String key : keywords.keySet()) {
            if (!List.of(keywordNames).contains(key)) {
                throw new TemplateException("TypeError: " + function + "() got an unexpected keyword argument '" + key + "'");
            }
        }
        return this;
    }

    /** The same arguments with the first {@code count} positional ones removed. */
    CallArguments drop(int count) {
        return new CallArguments(function, positional.subList(Math.min(count, positional.size()), positional.size()),
                new LinkedHashMap<>(keywords));
    }
}
