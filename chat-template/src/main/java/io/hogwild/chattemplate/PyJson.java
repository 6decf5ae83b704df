package io.hogwild.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}.
 * This is not Jinja's built-in tojson, which HTML-escapes {@code < > & '} and would corrupt tool
 * schemas in prompts. Defaults therefore mean {@code ", "} / {@code ": "} separators and raw
 * non-ASCII text.
 */
final class PyJson {

    private final boolean ensureAscii;
    private final String indent; // null: single line
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    PyJson(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
    }

    /** Builds the serializer from the filter's keyword arguments (Python defaults otherwise). */
    static PyJson fromArguments(CallArguments args) {
        // Same parameter order as the Python function, so positional use works too.
        args.accept(4, "ensure_ascii", "indent", "separators", "sort_keys");
        Object indentArg = args.get(1, "indent", null);
        String indent;
        if (indentArg == null) {
            indent = null;
        } else if (indentArg instanceof String s) {
            indent = s;
        } else if (PyOps.isInteger(indentArg)) {
            indent = " ".repeat((int) Math.max(0, PyOps.asLong(indentArg)));
        } else {
            throw PyOps.typeError("tojson indent must be an int or a str");
        }
        String itemSep = indent == null ? ", " : ",";
        String keySep = ": ";
        Object separators = args.get(2, "separators", null);
        if (separators != null) {
            if (!(separators instanceof List<?> pair) || pair.size() != 2
                    || !(pair.get(0) instanceof String) || !(pair.get(1) instanceof String)) {
                throw PyOps.typeError("tojson separators must be a pair of strings");
            }
            itemSep = (String) pair.get(0);
            keySep = (String) pair.get(1);
        }
        return new PyJson(args.bool(0, "ensure_ascii", false), indent, itemSep, keySep,
                args.bool(3, "sort_keys", false));
    }

    String dump(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(Object v, StringBuilder out, int level) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            out.append(l);
        } else if (v instanceof Double d) {
            out.append(floatText(d));
        } else if (v instanceof String s) {
            writeString(s, out);
        } else if (v instanceof List<?> list) {
            writeList(list, out, level);
        } else if (v instanceof Map<?, ?> map) {
            writeMap(map, out, level);
        } else {
            throw PyOps.typeError("Object of type " + PyOps.typeName(v) + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyOps.formatFloat(d);
    }

    private void writeList(List<?> list, StringBuilder out, int level) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(out, level + 1);
            write(list.get(i), out, level + 1);
        }
        newline(out, level);
        out.append(']');
    }

    private void writeMap(Map<?, ?> map, StringBuilder out, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        map.forEach((k, val) -> entries.add(Map.entry(keyText(k), val == null ? NULL : val)));
        if (sortKeys) {
            entries.sort((a, b) -> PyOps.compareCodePoints(a.getKey(), b.getKey()));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> entry : entries) {
            out.append(first ? "" : itemSeparator);
            first = false;
            newline(out, level + 1);
            writeString(entry.getKey(), out);
            out.append(keySeparator);
            write(entry.getValue() == NULL ? null : entry.getValue(), out, level + 1);
        }
        newline(out, level);
        out.append('}');
    }

    // Map.entry rejects null values; JSON null travels as this marker.
    private static final Object NULL = new Object();

    /** Python converts non-string keys: numbers by repr, booleans to true/false, None to null. */
    private static String keyText(Object key) {
        if (key instanceof String s) {
            return s;
        }
        if (key == null) {
            return "null";
        }
        if (key instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (key instanceof Long || key instanceof Double) {
            return key instanceof Double d ? floatText(d) : key.toString();
        }
        throw PyOps.typeError("keys must be str, int, float, bool or None, not " + PyOps.typeName(key));
    }

    private void newline(StringBuilder out, int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // ensure_ascii escapes everything outside printable ASCII (as UTF-16 units,
                    // so astral characters become surrogate pairs, like Python).
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
