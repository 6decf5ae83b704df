package io.hogwild.chattemplate;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics over the Java representation the renderer uses:
 * str, long (Python int), double (float), Boolean (bool, which is also an int), null (None),
 * {@link List}/{@link PyTuple}, {@link Map} (dict, insertion ordered), {@link Undefined},
 * {@link Namespace} and callables. Output must match what Python would print, character for
 * character, so truthiness, {@code str()}, {@code repr()}, equality and the operators all live here.
 */
final class PyOps {

    private PyOps() {
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof PyTuple) {
            return "tuple";
        }
        if (v instanceof DictView view) {
            return view.kind();
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Namespace) {
            return "Namespace";
        }
        if (v instanceof LoopContext) {
            return "LoopContext";
        }
        if (v instanceof MacroCallable) {
            return "Macro";
        }
        if (v instanceof TemplateCallable) {
            return "builtin_function_or_method";
        }
        return v.getClass().getSimpleName();
    }

    static TemplateException typeError(String message) {
        return new TemplateException("TypeError: " + message);
    }

    /** Fails on Undefined: used wherever Jinja's Undefined raises instead of degrading. */
    static Object defined(Object v) {
        if (v instanceof Undefined undefined) {
            throw undefined.failure();
        }
        return v;
    }

    // ----------------------------------------------------------------- truthiness and text

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> list) {
            return !list.isEmpty();
        }
        if (v instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return true;
    }

    /** Python's {@code str()}, with Undefined printing as the empty string. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    /** Python's {@code repr()}. */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof String s) {
            return PyStrings.repr(s);
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long l) {
            return Long.toString(l);
        }
        if (v instanceof Double d) {
            return formatFloat(d);
        }
        if (v instanceof DictView view) {
            return view.toString();
        }
        if (v instanceof PyTuple tuple) {
            StringBuilder out = new StringBuilder("(");
            for (int i = 0; i < tuple.size(); i++) {
                out.append(i > 0 ? ", " : "").append(repr(tuple.get(i)));
            }
            return out.append(tuple.size() == 1 ? ",)" : ")").toString();
        }
        if (v instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                out.append(i > 0 ? ", " : "").append(repr(list.get(i)));
            }
            return out.append(']').toString();
        }
        if (v instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            map.forEach((k, val) -> out.append(out.length() > 1 ? ", " : "").append(repr(k)).append(": ").append(repr(val)));
            return out.append('}').toString();
        }
        return v.toString();
    }

    /**
     * Python's float repr: the shortest digits that round-trip, positional notation for
     * decimal exponents in [-4, 16), scientific ({@code 1e+16}, {@code 1e-05}) otherwise.
     */
    static String formatFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int decimalPoint = digits.length() - exact.scale(); // value = 0.digits * 10^decimalPoint
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        if (decimalPoint > 16 || decimalPoint < -3) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = decimalPoint - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            String expDigits = Integer.toString(Math.abs(exponent));
            out.append(expDigits.length() < 2 ? "0" : "").append(expDigits);
        } else if (decimalPoint <= 0) {
            out.append("0.").append("0".repeat(-decimalPoint)).append(digits);
        } else if (decimalPoint >= digits.length()) {
            out.append(digits).append("0".repeat(decimalPoint - digits.length())).append(".0");
        } else {
            out.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, digits.length());
        }
        return out.toString();
    }

    // ----------------------------------------------------------------- containers

    static int length(Object v) {
        if (v instanceof Undefined) {
            return 0;
        }
        if (v instanceof String s) {
            return PyStrings.length(s);
        }
        if (v instanceof List<?> list) {
            return list.size();
        }
        if (v instanceof Map<?, ?> map) {
            return map.size();
        }
        throw typeError("object of type '" + typeName(v) + "' has no len()");
    }

    /** The items a for loop (or list()) sees: list items, dict keys, string characters. */
    static List<Object> iterate(Object v) {
        if (v instanceof Undefined) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            return Collections.unmodifiableList(list);
        }
        if (v instanceof Map<?, ?> map) {
            return List.copyOf(map.keySet());
        }
        if (v instanceof String s) {
            List<Object> chars = new ArrayList<>();
            s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            return chars;
        }
        throw typeError("'" + typeName(v) + "' object is not iterable");
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String needle)) {
                throw typeError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(needle);
        }
        if (container instanceof Map<?, ?> map) {
            return lookupKey(map, item) != Scope.MISSING;
        }
        for (Object element : iterate(container)) {
            if (equal(element, item)) {
                return true;
            }
        }
        return false;
    }

    /** dict[key] with Python key equality (1, 1.0 and True are the same key); MISSING if absent. */
    static Object lookupKey(Map<?, ?> map, Object key) {
        if (key instanceof String && map.containsKey(key)) {
            return map.get(key);
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (equal(entry.getKey(), key)) {
                return entry.getValue();
            }
        }
        return Scope.MISSING;
    }

    // ----------------------------------------------------------------- comparison

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long asLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double asDouble(Object v) {
        return v instanceof Double d ? d : asLong(v);
    }

    static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInteger(a) && isInteger(b)) {
                return asLong(a) == asLong(b);
            }
            return asDouble(a) == asDouble(b);
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if ((a instanceof PyTuple) != (b instanceof PyTuple) || la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> entry : ma.entrySet()) {
                Object other = lookupKey(mb, entry.getKey());
                if (other == Scope.MISSING || !equal(entry.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Ordering for {@code < <= > >=}; Python raises TypeError between unrelated types. */
    static int compare(Object a, Object b, String op) {
        defined(a);
        defined(b);
        if (isNumber(a) && isNumber(b)) {
            if (isInteger(a) && isInteger(b)) {
                return Long.compare(asLong(a), asLong(b));
            }
            return Double.compare(asDouble(a), asDouble(b));
        }
        if (a instanceof String sa && b instanceof String sb) {
            return compareCodePoints(sa, sb);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return compare(la.get(i), lb.get(i), op);
                }
            }
            return Integer.compare(la.size(), lb.size());
        }
        throw typeError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    // ----------------------------------------------------------------- arithmetic

    static Object binary(String op, Object a, Object b) {
        defined(a);
        defined(b);
        return switch (op) {
            case "+" -> add(a, b);
            case "-" -> numeric(op, a, b, Math::subtractExact, (x, y) -> x - y);
            case "*" -> multiply(a, b);
            case "/" -> {
                requireNumbers(op, a, b);
                if (asDouble(b) == 0) {
                    throw new TemplateException("ZeroDivisionError: division by zero");
                }
                yield asDouble(a) / asDouble(b);
            }
            case "//" -> {
                requireNumbers(op, a, b);
                if (asDouble(b) == 0) {
                    throw new TemplateException("ZeroDivisionError: integer division or modulo by zero");
                }
                yield isInteger(a) && isInteger(b) ? (Object) Math.floorDiv(asLong(a), asLong(b))
                        : (Object) Math.floor(asDouble(a) / asDouble(b));
            }
            case "%" -> modulo(a, b);
            case "**" -> power(a, b);
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    private static Object add(Object a, Object b) {
        if (a instanceof String sa && b instanceof String sb) {
            return sa + sb;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            List<Object> joined = new ArrayList<>(la);
            joined.addAll(lb);
            return a instanceof PyTuple ? new PyTuple(joined) : joined;
        }
        if (a instanceof String && !(b instanceof String)) {
            throw typeError("can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        if (a instanceof List && !(a instanceof PyTuple) && !(b instanceof List && !(b instanceof PyTuple))) {
            throw typeError("can only concatenate list (not \"" + typeName(b) + "\") to list");
        }
        return numeric("+", a, b, Math::addExact, Double::sum);
    }

    private static Object multiply(Object a, Object b) {
        if ((a instanceof String || a instanceof List) && isInteger(b)) {
            return repeat(a, asLong(b));
        }
        if (isInteger(a) && (b instanceof String || b instanceof List)) {
            return repeat(b, asLong(a));
        }
        return numeric("*", a, b, Math::multiplyExact, (x, y) -> x * y);
    }

    private static Object repeat(Object sequence, long times) {
        if (sequence instanceof String s) {
            return times <= 0 ? "" : s.repeat(Math.toIntExact(times));
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) {
            out.addAll((List<?>) sequence);
        }
        return sequence instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static Object modulo(Object a, Object b) {
        if (a instanceof String) {
            throw new TemplateException("printf-style string formatting ('%' on a string) is not supported");
        }
        requireNumbers("%", a, b);
        if (asDouble(b) == 0) {
            throw new TemplateException("ZeroDivisionError: integer division or modulo by zero");
        }
        if (isInteger(a) && isInteger(b)) {
            return Math.floorMod(asLong(a), asLong(b));
        }
        double x = asDouble(a);
        double y = asDouble(b);
        double r = x % y;
        return r != 0 && (r < 0) != (y < 0) ? r + y : r; // Python: result takes the divisor's sign
    }

    private static Object power(Object a, Object b) {
        requireNumbers("**", a, b);
        if (isInteger(a) && isInteger(b) && asLong(b) >= 0) {
            long base = asLong(a);
            long result = 1;
            for (long i = 0; i < asLong(b); i++) {
                result = Math.multiplyExact(result, base);
            }
            return result;
        }
        return Math.pow(asDouble(a), asDouble(b));
    }

    private interface LongOp {
        long apply(long x, long y);
    }

    private interface DoubleOp {
        double apply(double x, double y);
    }

    private static Object numeric(String op, Object a, Object b, LongOp longOp, DoubleOp doubleOp) {
        requireNumbers(op, a, b);
        if (isInteger(a) && isInteger(b)) {
            try {
                return longOp.apply(asLong(a), asLong(b));
            } catch (ArithmeticException e) {
                throw new TemplateException("integer overflow in '" + op + "' (only 64-bit integers are supported)");
            }
        }
        return doubleOp.apply(asDouble(a), asDouble(b));
    }

    private static void requireNumbers(String op, Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) {
            throw typeError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
        }
    }

    static Object negate(Object v) {
        defined(v);
        if (v instanceof Double d) {
            return -d;
        }
        if (isInteger(v)) {
            return -asLong(v);
        }
        throw typeError("bad operand type for unary -: '" + typeName(v) + "'");
    }

    static Object positive(Object v) {
        defined(v);
        if (v instanceof Double) {
            return v;
        }
        if (isInteger(v)) {
            return asLong(v);
        }
        throw typeError("bad operand type for unary +: '" + typeName(v) + "'");
    }

    // ----------------------------------------------------------------- indexing

    /** Python slice {@code seq[start:stop:step]} on a string, list or tuple. */
    static Object slice(Object target, Object start, Object stop, Object step) {
        long stepValue = step == null ? 1 : sliceIndex(step);
        if (stepValue == 0) {
            throw new TemplateException("ValueError: slice step cannot be zero");
        }
        int[] cps = target instanceof String s ? PyStrings.codePoints(s) : null;
        List<?> list = target instanceof List<?> l ? l : null;
        if (cps == null && list == null) {
            throw typeError("'" + typeName(target) + "' object is not subscriptable");
        }
        int length = cps != null ? cps.length : list.size();
        long lo;
        long hi;
        if (stepValue > 0) {
            lo = start == null ? 0 : clamp(sliceIndex(start), length, 0, length);
            hi = stop == null ? length : clamp(sliceIndex(stop), length, 0, length);
        } else {
            lo = start == null ? length - 1 : clamp(sliceIndex(start), length, -1, length - 1);
            hi = stop == null ? -1 : clamp(sliceIndex(stop), length, -1, length - 1);
        }
        StringBuilder text = new StringBuilder();
        List<Object> items = new ArrayList<>();
        for (long i = lo; stepValue > 0 ? i < hi : i > hi; i += stepValue) {
            if (cps != null) {
                text.appendCodePoint(cps[(int) i]);
            } else {
                items.add(list.get((int) i));
            }
        }
        if (cps != null) {
            return text.toString();
        }
        return target instanceof PyTuple ? new PyTuple(items) : items;
    }

    private static long sliceIndex(Object v) {
        if (!isInteger(v)) {
            throw typeError("slice indices must be integers or None");
        }
        return asLong(v);
    }

    private static long clamp(long index, int length, long min, long max) {
        long i = index < 0 ? index + length : index;
        return Math.max(min, Math.min(max, i));
    }
}
