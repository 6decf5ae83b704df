package io.hogwild.chattemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates expression nodes to values, with Python/Jinja semantics (see {@link PyOps}). */
final class Evaluator {

    private final TemplateEnvironment env;

    Evaluator(TemplateEnvironment env) {
        this.env = env;
    }

    Object eval(Expr expr, Scope scope) {
        try {
            return evaluate(expr, scope);
        } catch (TemplateException e) {
            throw e.withLine(expr.line());
        } catch (RuntimeException e) {
            // A bug or an unexpected Java type: still report where in the template it happened.
            throw new TemplateException("internal error: " + e, expr.line(), e);
        }
    }

    private Object evaluate(Expr expr, Scope scope) {
        if (expr instanceof Expr.Literal literal) {
            return literal.value();
        }
        if (expr instanceof Expr.Name name) {
            Object value = scope.lookup(name.name());
            return value == Scope.MISSING ? Undefined.variable(name.name()) : value;
        }
        if (expr instanceof Expr.GetAttr get) {
            return Attributes.getAttr(eval(get.target(), scope), get.name());
        }
        if (expr instanceof Expr.GetItem get) {
            return Attributes.getItem(eval(get.target(), scope), eval(get.index(), scope));
        }
        if (expr instanceof Expr.Slice slice) {
            Object target = PyOps.defined(eval(slice.target(), scope));
            return PyOps.slice(target, optional(slice.start(), scope), optional(slice.stop(), scope),
                    optional(slice.step(), scope));
        }
        if (expr instanceof Expr.Binary binary) {
            return binary(binary, scope);
        }
        if (expr instanceof Expr.Unary unary) {
            Object operand = eval(unary.operand(), scope);
            return switch (unary.op()) {
                case "not" -> !PyOps.truthy(operand);
                case "-" -> PyOps.negate(operand);
                default -> PyOps.positive(operand);
            };
        }
        if (expr instanceof Expr.Compare compare) {
            return compare(compare, scope);
        }
        if (expr instanceof Expr.Conditional conditional) {
            if (PyOps.truthy(eval(conditional.condition(), scope))) {
                return eval(conditional.then(), scope);
            }
            return conditional.otherwise() == null
                    ? Undefined.withHint("the inline if-expression on line " + conditional.line()
                            + " evaluated to false and no else section was defined.")
                    : eval(conditional.otherwise(), scope);
        }
        if (expr instanceof Expr.Filter filter) {
            Object input = eval(filter.input(), scope);
            return env.filter(filter.name()).apply(env, input, arguments(filter.name(), filter.args(), filter.kwargs(), scope));
        }
        if (expr instanceof Expr.Test test) {
            Object input = eval(test.input(), scope);
            boolean result = env.test(test.name()).test(input, arguments(test.name(), test.args(), test.kwargs(), scope));
            return result != test.negated();
        }
        if (expr instanceof Expr.Call call) {
            return call(call, scope);
        }
        if (expr instanceof Expr.ListLiteral list) {
            List<Object> items = new ArrayList<>();
            for (Expr item : list.items()) {
                items.add(eval(item, scope));
            }
            return items;
        }
        if (expr instanceof Expr.TupleLiteral tuple) {
            List<Object> items = new ArrayList<>();
            for (Expr item : tuple.items()) {
                items.add(eval(item, scope));
            }
            return new PyTuple(items);
        }
        if (expr instanceof Expr.DictLiteral dict) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < dict.keys().size(); i++) {
                Object key = eval(dict.keys().get(i), scope);
                if (key instanceof List && !(key instanceof PyTuple) || key instanceof Map) {
                    throw PyOps.typeError("unhashable type: '" + PyOps.typeName(key) + "'");
                }
                map.put(key, eval(dict.values().get(i), scope));
            }
            return map;
        }
        throw new TemplateException("cannot evaluate " + expr.getClass().getSimpleName(), expr.line());
    }

    private Object optional(Expr expr, Scope scope) {
        return expr == null ? null : eval(expr, scope);
    }

    private Object binary(Expr.Binary binary, Scope scope) {
        Object left = eval(binary.left(), scope);
        switch (binary.op()) {
            case "and":
                return PyOps.truthy(left) ? eval(binary.right(), scope) : left;
            case "or":
                return PyOps.truthy(left) ? left : eval(binary.right(), scope);
            case "~":
                return PyOps.str(left) + PyOps.str(eval(binary.right(), scope));
            default:
                return PyOps.binary(binary.op(), left, eval(binary.right(), scope));
        }
    }

    private Object compare(Expr.Compare compare, Scope scope) {
        Object left = eval(compare.first(), scope);
        for (int i = 0; i < compare.ops().size(); i++) {
            String op = compare.ops().get(i);
            Object right = eval(compare.operands().get(i), scope);
            boolean holds = switch (op) {
                case "==" -> PyOps.equal(left, right);
                case "!=" -> !PyOps.equal(left, right);
                case "<" -> PyOps.compare(left, right, op) < 0;
                case "<=" -> PyOps.compare(left, right, op) <= 0;
                case ">" -> PyOps.compare(left, right, op) > 0;
                case ">=" -> PyOps.compare(left, right, op) >= 0;
                case "in" -> PyOps.contains(right, left);
                case "not in" -> !PyOps.contains(right, left);
                default -> throw new TemplateException("unknown comparison " + op);
            };
            if (!holds) {
                return false;
            }
            left = right;
        }
        return true;
    }

    private Object call(Expr.Call call, Scope scope) {
        Object callee = eval(call.callee(), scope);
        if (callee instanceof Undefined undefined) {
            throw undefined.failure();
        }
        if (!(callee instanceof TemplateCallable callable)) {
            throw PyOps.typeError("'" + PyOps.typeName(callee) + "' object is not callable");
        }
        String name = call.callee() instanceof Expr.Name n ? n.name()
                : call.callee() instanceof Expr.GetAttr g ? g.name() : "function";
        return callable.call(arguments(name, call.args(), call.kwargs(), scope));
    }

    private CallArguments arguments(String function, List<Expr> args, List<Expr.Keyword> kwargs, Scope scope) {
        if (args.isEmpty() && kwargs.isEmpty()) {
            return CallArguments.none(function);
        }
        List<Object> positional = new ArrayList<>(args.size());
        for (Expr arg : args) {
            positional.add(eval(arg, scope));
        }
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (Expr.Keyword kwarg : kwargs) {
            keywords.put(kwarg.name(), eval(kwarg.value(), scope));
        }
        return new CallArguments(function, positional, keywords);
    }
}
