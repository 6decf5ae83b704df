package io.hogwild.chattemplate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests of {@code value is [not] name(args)}, with Jinja's definitions. Note the Python
 * details templates rely on: {@code true}/{@code false} test identity with the booleans (so
 * {@code 0 is false} is False), and booleans count as numbers.
 */
final class TestFunctions {

    /** One test: the value on the left of {@code is} and the evaluated arguments. */
    @FunctionalInterface
    interface Test {
        boolean test(Object value, CallArguments args);
    }

    private TestFunctions() {
    }

    static Map<String, Test> standard() {
        Map<String, Test> t = new HashMap<>();
        t.put("defined", (v, a) -> !(v instanceof Undefined));
        t.put("undefined", (v, a) -> v instanceof Undefined);
        t.put("none", (v, a) -> v == null);
        t.put("boolean", (v, a) -> v instanceof Boolean);
        t.put("true", (v, a) -> Boolean.TRUE.equals(v));
        t.put("false", (v, a) -> Boolean.FALSE.equals(v));
        t.put("integer", (v, a) -> v instanceof Long);
        t.put("float", (v, a) -> v instanceof Double);
        t.put("number", (v, a) -> PyOps.isNumber(v));
        t.put("string", (v, a) -> v instanceof String);
        t.put("mapping", (v, a) -> v instanceof Map);
        // Jinja's Undefined defines __iter__, __len__ and __getitem__, so it passes these two.
        t.put("iterable", (v, a) -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined);
        t.put("sequence", (v, a) -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined);
        t.put("callable", (v, a) -> v instanceof TemplateCallable);
        t.put("sameas", (v, a) -> {
            Object other = a.required(0, "other");
            return v == other || (v instanceof Boolean && v.equals(other));
        });
        t.put("escaped", (v, a) -> false);
        t.put("in", (v, a) -> PyOps.contains(a.required(0, "seq"), v));
        t.put("lower", (v, a) -> {
            String s = PyOps.str(v);
            return s.codePoints().anyMatch(Character::isLowerCase) && s.equals(s.toLowerCase(java.util.Locale.ROOT));
        });
        t.put("upper", (v, a) -> {
            String s = PyOps.str(v);
            return s.codePoints().anyMatch(Character::isUpperCase) && s.equals(s.toUpperCase(java.util.Locale.ROOT));
        });
        t.put("even", (v, a) -> PyOps.asLong(integer(v)) % 2 == 0);
        t.put("odd", (v, a) -> PyOps.asLong(integer(v)) % 2 != 0);
        t.put("divisibleby", (v, a) -> {
            long divisor = PyOps.asLong(integer(a.required(0, "num")));
            if (divisor == 0) {
                throw new TemplateException("ZeroDivisionError: integer division or modulo by zero");
            }
            return PyOps.asLong(integer(v)) % divisor == 0;
        });
        Test eq = (v, a) -> PyOps.equal(v, a.required(0, "other"));
        Test ne = (v, a) -> !PyOps.equal(v, a.required(0, "other"));
        Test lt = (v, a) -> PyOps.compare(v, a.required(0, "other"), "<") < 0;
        Test le = (v, a) -> PyOps.compare(v, a.required(0, "other"), "<=") <= 0;
        Test gt = (v, a) -> PyOps.compare(v, a.required(0, "other"), ">") > 0;
        Test ge = (v, a) -> PyOps.compare(v, a.required(0, "other"), ">=") >= 0;
        for (String name : List.of("eq", "equalto", "==")) {
            t.put(name, eq);
        }
        for (String name : List.of("ne", "!=")) {
            t.put(name, ne);
        }
        for (String name : List.of("lt", "lessthan", "<")) {
            t.put(name, lt);
        }
        for (String name : List.of("le", "<=")) {
            t.put(name, le);
        }
        for (String name : List.of("gt", "greaterthan", ">")) {
            t.put(name, gt);
        }
        for (String name : List.of("ge", ">=")) {
            t.put(name, ge);
        }
        return t;
    }

    private static Object integer(Object v) {
        if (!PyOps.isInteger(PyOps.defined(v))) {
            throw PyOps.typeError("expected an integer, got '" + PyOps.typeName(v) + "'");
        }
        return v;
    }
}
