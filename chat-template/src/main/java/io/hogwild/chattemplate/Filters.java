package io.hogwild.chattemplate;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filters ({@code value | name(args)}) available to templates: Jinja's built-ins that chat
 * templates use, with Jinja's semantics, plus transformers' own {@code tojson}. Filters that
 * Jinja returns as lazy generators ({@code map}, {@code select}, {@code reverse} on lists, ...)
 * return lists here; that only differs if a template prints the generator object itself.
 */
final class Filters {

    /** One filter: receives the piped value and the evaluated arguments. */
    @FunctionalInterface
    interface Filter {
        Object apply(TemplateEnvironment env, Object value, CallArguments args);
    }

    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern TITLE_WORD_BOUNDARY = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    private Filters() {
    }

    static Map<String, Filter> standard() {
        Map<String, Filter> f = new HashMap<>();
        f.put("abs", (env, v, a) -> PyOps.isInteger(PyOps.defined(v)) ? (Object) Math.abs(PyOps.asLong(v))
                : v instanceof Double d ? (Object) Math.abs(d) : fail("bad operand type for abs(): '" + PyOps.typeName(v) + "'"));
        f.put("attr", (env, v, a) -> Attributes.getAttr(v, a.accept(1).string(0, "name", null)));
        f.put("capitalize", (env, v, a) -> StringMethods.capitalize(PyOps.str(v)));
        f.put("count", (env, v, a) -> (long) PyOps.length(v));
        f.put("default", Filters::defaultValue);
        f.put("d", Filters::defaultValue);
        f.put("dictsort", Filters::dictsort);
        f.put("escape", (env, v, a) -> escape(PyOps.str(v)));
        f.put("e", (env, v, a) -> escape(PyOps.str(v)));
        f.put("first", (env, v, a) -> {
            List<Object> items = PyOps.iterate(v);
            return items.isEmpty() ? Undefined.withHint("No first item, sequence was empty.") : items.get(0);
        });
        f.put("float", Filters::toFloat);
        f.put("indent", Filters::indent);
        f.put("int", Filters::toInt);
        f.put("items", (env, v, a) -> {
            if (v instanceof Undefined) {
                return List.of();
            }
            if (!(v instanceof Map<?, ?> map)) {
                return fail("Can only get item pairs from a mapping.");
            }
            List<Object> pairs = new ArrayList<>();
            map.forEach((k, val) -> pairs.add(PyTuple.of(k, val)));
            return pairs;
        });
        f.put("join", Filters::join);
        f.put("last", (env, v, a) -> {
            List<Object> items = PyOps.iterate(v);
            return items.isEmpty() ? Undefined.withHint("No last item, sequence was empty.") : items.get(items.size() - 1);
        });
        f.put("length", (env, v, a) -> (long) PyOps.length(v));
        f.put("list", (env, v, a) -> new ArrayList<>(PyOps.iterate(v)));
        f.put("lower", (env, v, a) -> PyOps.str(v).toLowerCase(Locale.ROOT));
        f.put("map", Filters::map);
        f.put("max", (env, v, a) -> extreme(v, a, true));
        f.put("min", (env, v, a) -> extreme(v, a, false));
        f.put("reject", (env, v, a) -> select(env, v, a, false, false));
        f.put("rejectattr", (env, v, a) -> select(env, v, a, false, true));
        f.put("replace", Filters::replace);
        f.put("reverse", (env, v, a) -> {
            if (v instanceof String s) {
                return new StringBuilder(s).reverse().toString();
            }
            List<Object> items = new ArrayList<>(PyOps.iterate(v));
            java.util.Collections.reverse(items);
            return items;
        });
        f.put("round", Filters::round);
        f.put("safe", (env, v, a) -> v);
        f.put("select", (env, v, a) -> select(env, v, a, true, false));
        f.put("selectattr", (env, v, a) -> select(env, v, a, true, true));
        f.put("sort", Filters::sort);
        f.put("string", (env, v, a) -> PyOps.str(v));
        f.put("sum", Filters::sum);
        f.put("title", (env, v, a) -> title(PyOps.str(v)));
        f.put("tojson", (env, v, a) -> PyJson.fromArguments(a).dump(v));
        f.put("trim", (env, v, a) -> PyStrings.strip(PyOps.str(v), a.accept(1).string(0, "chars", null), true, true));
        f.put("unique", Filters::unique);
        f.put("upper", (env, v, a) -> PyOps.str(v).toUpperCase(Locale.ROOT));
        f.put("wordcount", (env, v, a) -> {
            Matcher m = WORD.matcher(PyOps.str(v));
            long n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        });
        return f;
    }

    private static Object fail(String message) {
        throw PyOps.typeError(message);
    }

    private static Object defaultValue(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(2, "default_value", "boolean");
        boolean useOnFalsy = a.bool(1, "boolean", false);
        if (v instanceof Undefined || (useOnFalsy && !PyOps.truthy(v))) {
            return a.get(0, "default_value", "");
        }
        return v;
    }

    /** Follows a dotted attribute path ("a.b", "0") the way Jinja's attribute= arguments do. */
    private static Object attributePath(Object item, String path) {
        Object current = item;
        for (String part : path.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            current = Attributes.getItem(current, key);
        }
        return current;
    }

    private static Object caseKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static Object dictsort(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(3, "case_sensitive", "by", "reverse");
        if (!(v instanceof Map<?, ?> map)) {
            return fail("dictsort expects a mapping");
        }
        boolean caseSensitive = a.bool(0, "case_sensitive", false);
        String by = a.string(1, "by", "key");
        int position = switch (by) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new TemplateException("FilterArgumentError: You can only sort by either \"key\" or \"value\"");
        };
        List<Object> pairs = new ArrayList<>();
        map.forEach((k, val) -> pairs.add(PyTuple.of(k, val)));
        Comparator<Object> order = (x, y) -> PyOps.compare(caseKey(((List<?>) x).get(position), caseSensitive),
                caseKey(((List<?>) y).get(position), caseSensitive), "<");
        pairs.sort(a.bool(2, "reverse", false) ? order.reversed() : order);
        return pairs;
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static Object toFloat(TemplateEnvironment env, Object v, CallArguments a) {
        Object fallback = a.accept(1, "default").get(0, "default", 0.0);
        if (PyOps.isNumber(v)) {
            return PyOps.asDouble(v);
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(PyStrings.strip(s, null, true, true).replace("_", ""));
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static Object toInt(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(2, "default", "base");
        Object fallback = a.get(0, "default", 0L);
        if (PyOps.isInteger(v)) {
            return PyOps.asLong(v);
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? (Object) (long) d.doubleValue() : fallback;
        }
        if (v instanceof String s) {
            String text = PyStrings.strip(s, null, true, true).replace("_", "");
            try {
                return Long.parseLong(text, (int) PyOps.asLong(a.get(1, "base", 10L)));
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(text);
                } catch (NumberFormatException e2) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    private static Object indent(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(3, "width", "first", "blank");
        Object width = a.get(0, "width", 4L);
        String indentation = width instanceof String s ? s : " ".repeat((int) Math.max(0, PyOps.asLong(width)));
        boolean first = a.bool(1, "first", false);
        boolean blank = a.bool(2, "blank", false);
        List<Object> lines = PyStrings.splitLines(PyOps.str(v) + "\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = (String) lines.get(i);
            if (i > 0) {
                out.append('\n');
                if (blank || !line.isEmpty()) {
                    out.append(indentation);
                }
            }
            out.append(line);
        }
        return first ? indentation + out : out.toString();
    }

    private static Object join(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(2, "d", "attribute");
        String separator = PyOps.str(a.get(0, "d", ""));
        Object attribute = a.get(1, "attribute", null);
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : PyOps.iterate(v)) {
            out.append(first ? "" : separator);
            first = false;
            out.append(PyOps.str(attribute == null ? item : attributePath(item, PyOps.str(attribute))));
        }
        return out.toString();
    }

    private static Object map(TemplateEnvironment env, Object v, CallArguments a) {
        List<Object> out = new ArrayList<>();
        if (a.positional().isEmpty() && a.keywords().containsKey("attribute")) {
            a.accept(0, "attribute", "default");
            String path = PyOps.str(a.keywords().get("attribute"));
            for (Object item : PyOps.iterate(v)) {
                Object value = attributePath(item, path);
                out.add(value instanceof Undefined && a.keywords().containsKey("default") ? a.keywords().get("default") : value);
            }
            return out;
        }
        if (a.positional().isEmpty()) {
            return fail("map requires a filter argument");
        }
        String filterName = PyOps.str(a.positional().get(0));
        Filter filter = env.filter(filterName);
        CallArguments rest = a.drop(1);
        for (Object item : PyOps.iterate(v)) {
            out.add(filter.apply(env, item, rest));
        }
        return out;
    }

    private static Object extreme(Object v, CallArguments a, boolean max) {
        a.accept(2, "case_sensitive", "attribute");
        boolean caseSensitive = a.bool(0, "case_sensitive", false);
        Object attribute = a.get(1, "attribute", null);
        Object best = null;
        Object bestKey = null;
        boolean found = false;
        for (Object item : PyOps.iterate(v)) {
            Object key = caseKey(attribute == null ? item : attributePath(item, PyOps.str(attribute)), caseSensitive);
            int cmp = found ? PyOps.compare(key, bestKey, "<") : 0;
            if (!found || (max ? cmp > 0 : cmp < 0)) {
                best = item;
                bestKey = key;
                found = true;
            }
        }
        return found ? best : Undefined.withHint("No aggregated item, sequence was empty.");
    }

    /** select / reject / selectattr / rejectattr: keep items whose test result equals {@code keep}. */
    private static Object select(TemplateEnvironment env, Object v, CallArguments a, boolean keep, boolean byAttribute) {
        String attribute = null;
        CallArguments rest = a;
        if (byAttribute) {
            attribute = PyOps.str(a.required(0, "attribute"));
            rest = a.drop(1);
        }
        TestFunctions.Test test = null;
        CallArguments testArgs = rest.drop(1);
        if (!rest.positional().isEmpty()) {
            test = env.test(PyOps.str(rest.positional().get(0)));
        }
        List<Object> out = new ArrayList<>();
        for (Object item : PyOps.iterate(v)) {
            Object subject = attribute == null ? item : attributePath(item, attribute);
            boolean result = test == null ? PyOps.truthy(subject) : test.test(subject, testArgs);
            if (result == keep) {
                out.add(item);
            }
        }
        return out;
    }

    private static Object replace(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(3, "old", "new", "count");
        Object count = a.get(2, "count", null);
        BoundMethod method = StringMethods.lookup(PyOps.str(v), "replace");
        List<Object> args = new ArrayList<>(List.of(PyOps.str(a.required(0, "old")), PyOps.str(a.required(1, "new"))));
        if (count != null) {
            args.add(count);
        }
        return method.call(new CallArguments("replace", args, Map.of()));
    }

    /** Python's round(): exact binary value, ties to even; ceil/floor methods as in Jinja. */
    private static Object round(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(2, "precision", "method");
        int precision = (int) PyOps.asLong(a.get(0, "precision", 0L));
        String method = a.string(1, "method", "common");
        RoundingMode mode = switch (method) {
            case "common" -> RoundingMode.HALF_EVEN;
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> throw new TemplateException("FilterArgumentError: method must be common, ceil or floor");
        };
        if (!PyOps.isNumber(PyOps.defined(v))) {
            return fail("type " + PyOps.typeName(v) + " doesn't define __round__ method");
        }
        if (PyOps.isInteger(v) && method.equals("common")) {
            return PyOps.asLong(v); // Python: round(int, n) stays an int
        }
        return new BigDecimal(PyOps.asDouble(v)).setScale(precision, mode).doubleValue();
    }

    private static Object sort(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(3, "reverse", "case_sensitive", "attribute");
        boolean caseSensitive = a.bool(1, "case_sensitive", false);
        Object attribute = a.get(2, "attribute", null);
        List<Object> items = new ArrayList<>(PyOps.iterate(v));
        Comparator<Object> order = (x, y) -> PyOps.compare(
                caseKey(attribute == null ? x : attributePath(x, PyOps.str(attribute)), caseSensitive),
                caseKey(attribute == null ? y : attributePath(y, PyOps.str(attribute)), caseSensitive), "<");
        items.sort(a.bool(0, "reverse", false) ? order.reversed() : order);
        return items;
    }

    private static Object sum(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(2, "attribute", "start");
        Object attribute = a.get(0, "attribute", null);
        Object total = a.get(1, "start", 0L);
        for (Object item : PyOps.iterate(v)) {
            total = PyOps.binary("+", total, attribute == null ? item : attributePath(item, PyOps.str(attribute)));
        }
        return total;
    }

    private static Object unique(TemplateEnvironment env, Object v, CallArguments a) {
        a.accept(2, "case_sensitive", "attribute");
        boolean caseSensitive = a.bool(0, "case_sensitive", false);
        Object attribute = a.get(1, "attribute", null);
        List<Object> out = new ArrayList<>();
        List<Object> seen = new ArrayList<>();
        for (Object item : PyOps.iterate(v)) {
            Object key = caseKey(attribute == null ? item : attributePath(item, PyOps.str(attribute)), caseSensitive);
            if (seen.stream().noneMatch(k -> PyOps.equal(k, key))) {
                seen.add(key);
                out.add(item);
            }
        }
        return out;
    }

    /** Jinja's title filter: capitalises after "-", whitespace and opening brackets. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        Matcher m = TITLE_WORD_BOUNDARY.matcher(s);
        int last = 0;
        while (m.find()) {
            appendTitled(out, s.substring(last, m.start()));
            out.append(m.group());
            last = m.end();
        }
        appendTitled(out, s.substring(last));
        return out.toString();
    }

    private static void appendTitled(StringBuilder out, String word) {
        if (!word.isEmpty()) {
            int first = word.codePointAt(0);
            out.appendCodePoint(Character.toUpperCase(first))
                    .append(word.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
        }
    }
}
