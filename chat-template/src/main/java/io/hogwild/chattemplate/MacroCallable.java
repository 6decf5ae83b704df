package io.hogwild.chattemplate;

import java.util.List;
import java.util.Map;

/**
 * A macro defined with {@code {% macro %}}, callable like a function. Each call renders the body
 * in a fresh scope on top of the scope the macro was defined in; parameters without a value and
 * without a default are Undefined, as in Jinja.
 */
final class MacroCallable implements TemplateCallable {

    /** Recursion guard, so a runaway template fails cleanly instead of overflowing the stack. */
    private static final int MAX_DEPTH = 100;

    private final Node.Macro definition;
    private final Scope closure;
    private final Interpreter interpreter;
    private int depth;

    MacroCallable(Node.Macro definition, Scope closure, Interpreter interpreter) {
        this.definition = definition;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    @Override
    public Object call(CallArguments arguments) {
        List<String> params = definition.params();
        if (arguments.positional().size() > params.size()) {
            throw new TemplateException("TypeError: macro '" + definition.name() + "' takes not more than "
                    + params.size() + " argument(s)", definition.line());
        }
        for (String keyword : arguments.keywords().keySet()) {
            if (!params.contains(keyword)) {
                throw new TemplateException("TypeError: macro '" + definition.name()
                        + "' takes no keyword argument '" + keyword + "'", definition.line());
            }
        }
        if (depth >= MAX_DEPTH) {
            throw new TemplateException("macro '" + definition.name() + "' recursed too deeply", definition.line());
        }
        Scope scope = closure.child();
        for (int i = 0; i < params.size(); i++) {
            String name = params.get(i);
            Map<String, Object> keywords = arguments.keywords();
            Object value;
            if (i < arguments.positional().size()) {
                value = arguments.positional().get(i);
            } else if (keywords.containsKey(name)) {
                value = keywords.get(name);
            } else if (definition.defaults().get(i) != null) {
                value = interpreter.evaluator().eval(definition.defaults().get(i), scope);
            } else {
                value = Undefined.withHint("parameter '" + name + "' was not provided");
            }
            scope.set(name, value);
        }
        StringBuilder out = new StringBuilder();
        depth++;
        try {
            interpreter.render(definition.body(), scope, out);
        } finally {
            depth--;
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "<Macro '" + definition.name() + "'>";
    }
}
