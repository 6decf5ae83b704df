package io.hogwild.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attribute and item access with Jinja's rules: {@code obj.name} tries the Python attribute
 * (e.g. a method) and then the item; {@code obj[key]} tries the item and then the attribute.
 * Missing things are {@link Undefined}, never an error, except on an Undefined receiver.
 *
 * <p>transformers renders in Jinja's ImmutableSandboxedEnvironment, so methods that would
 * mutate a list or dict are refused (as an Undefined that fails when called, like the sandbox).
 */
final class Attributes {

    private static final Set<String> MUTATING_LIST_METHODS =
            Set.of("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse");
    private static final Set<String> MUTATING_DICT_METHODS =
            Set.of("update", "pop", "popitem", "clear", "setdefault");

    private Attributes() {
    }

    static Object getAttr(Object target, String name) {
        PyOps.defined(target);
        Object attribute = pythonAttribute(target, name);
        if (attribute != Scope.MISSING) {
            return attribute;
        }
        if (target instanceof Map<?, ?> map) {
            Object value = PyOps.lookupKey(map, name);
            if (value != Scope.MISSING) {
                return value;
            }
        }
        return Undefined.attribute(target, name);
    }

    static Object getItem(Object target, Object key) {
        PyOps.defined(target);
        if (target instanceof Map<?, ?> map) {
            Object value = PyOps.lookupKey(map, key);
            if (value != Scope.MISSING) {
                return value;
            }
        } else if (target instanceof List<?> list && PyOps.isInteger(key)) {
            long index = PyOps.asLong(key);
            long resolved = index < 0 ? index + list.size() : index;
            if (resolved >= 0 && resolved < list.size()) {
                return list.get((int) resolved);
            }
            return Undefined.element(target, key);
        } else if (target instanceof String s && PyOps.isInteger(key)) {
            int[] cps = PyStrings.codePoints(s);
            long index = PyOps.asLong(key);
            long resolved = index < 0 ? index + cps.length : index;
            if (resolved >= 0 && resolved < cps.length) {
                return new String(cps, (int) resolved, 1);
            }
            return Undefined.element(target, key);
        }
        if (key instanceof String name) {
            Object attribute = pythonAttribute(target, name);
            if (attribute != Scope.MISSING) {
                return attribute;
            }
        }
        return Undefined.element(target, key);
    }

    /** Python-level attributes (methods, namespace/loop attributes); MISSING if none. */
    private static Object pythonAttribute(Object target, String name) {
        if (target instanceof Namespace ns) {
            return ns.has(name) ? ns.get(name) : Scope.MISSING;
        }
        if (target instanceof LoopContext loop) {
            Object value = loop.attribute(name);
            return value instanceof Undefined ? Scope.MISSING : value;
        }
        if (target instanceof String s) {
            BoundMethod method = StringMethods.lookup(s, name);
            return method == null ? Scope.MISSING : method;
        }
        if (target instanceof Map<?, ?> map) {
            if (MUTATING_DICT_METHODS.contains(name)) {
                return unsafe(target, name);
            }
            return dictMethod(map, name);
        }
        if (target instanceof List<?> list) {
            if (MUTATING_LIST_METHODS.contains(name) && !(target instanceof PyTuple)) {
                return unsafe(target, name);
            }
            return listMethod(list, name);
        }
        return Scope.MISSING;
    }

    private static Object unsafe(Object target, String name) {
        return Undefined.withHint("SecurityError: access to attribute '" + name + "' of '" + PyOps.typeName(target)
                + "' object is unsafe.");
    }

    private static Object dictMethod(Map<?, ?> map, String name) {
        TemplateCallable impl = switch (name) {
            case "items" -> args -> {
                List<Object> pairs = new ArrayList<>();
                map.forEach((k, v) -> pairs.add(PyTuple.of(k, v)));
                return new DictView("dict_items", pairs);
            };
            case "keys" -> args -> new DictView("dict_keys", new ArrayList<Object>(map.keySet()));
            case "values" -> args -> new DictView("dict_values", new ArrayList<Object>(map.values()));
            case "get" -> args -> {
                Object value = PyOps.lookupKey(map, args.accept(2).required(0, "key"));
                return value == Scope.MISSING ? args.get(1, "default", null) : value;
            };
            default -> null;
        };
        return impl == null ? Scope.MISSING : new BoundMethod(name, map, impl);
    }

    private static Object listMethod(List<?> list, String name) {
        TemplateCallable impl = switch (name) {
            case "index" -> args -> {
                Object wanted = args.accept(1).required(0, "value");
                for (int i = 0; i < list.size(); i++) {
                    if (PyOps.equal(list.get(i), wanted)) {
                        return (long) i;
                    }
                }
                throw new TemplateException("ValueError: " + PyOps.repr(wanted) + " is not in list");
            };
            case "count" -> args -> {
                Object wanted = args.accept(1).required(0, "value");
                return list.stream().filter(item -> PyOps.equal(item, wanted)).count();
            };
            default -> null;
        };
        return impl == null ? Scope.MISSING : new BoundMethod(name, list, impl);
    }
}
