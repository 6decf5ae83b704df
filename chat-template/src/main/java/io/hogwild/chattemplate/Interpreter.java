package io.hogwild.chattemplate;

import java.util.ArrayList;
import java.util.List;

/** Executes statement nodes, appending output to a buffer. */
final class Interpreter {

    /** Unwinds to the innermost for loop on {@code break} / {@code continue}. */
    private static final class LoopSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false); // control flow: no stack trace needed
            this.isBreak = isBreak;
        }
    }

    private static final LoopSignal BREAK = new LoopSignal(true);
    private static final LoopSignal CONTINUE = new LoopSignal(false);

    private final Evaluator evaluator;

    Interpreter(TemplateEnvironment env) {
        this.evaluator = new Evaluator(env);
    }

    Evaluator evaluator() {
        return evaluator;
    }

    void render(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) {
            execute(node, scope, out);
        }
    }

    private void execute(Node node, Scope scope, StringBuilder out) {
        if (node instanceof Node.Text text) {
            out.append(text.text());
        } else if (node instanceof Node.Output output) {
            out.append(PyOps.str(evaluator.eval(output.expr(), scope)));
        } else if (node instanceof Node.If ifNode) {
            for (Node.Branch branch : ifNode.branches()) {
                if (PyOps.truthy(evaluator.eval(branch.condition(), scope))) {
                    render(branch.body(), scope, out);
                    return;
                }
            }
            render(ifNode.otherwise(), scope, out);
        } else if (node instanceof Node.For forNode) {
            executeFor(forNode, scope, out);
        } else if (node instanceof Node.Set set) {
            Object value = evaluator.eval(set.value(), scope);
            try {
                assign(set.target(), value, scope);
            } catch (TemplateException e) {
                throw e.withLine(set.line());
            }
        } else if (node instanceof Node.SetBlock setBlock) {
            StringBuilder captured = new StringBuilder();
            render(setBlock.body(), scope, captured);
            scope.set(setBlock.name(), captured.toString());
        } else if (node instanceof Node.Macro macro) {
            scope.set(macro.name(), new MacroCallable(macro, scope, this));
        } else if (node instanceof Node.LoopControl control) {
            throw control.isBreak() ? BREAK : CONTINUE;
        } else if (node instanceof Node.Generation generation) {
            render(generation.body(), scope.child(), out);
        } else {
            throw new TemplateException("cannot execute " + node.getClass().getSimpleName());
        }
    }

    private void executeFor(Node.For forNode, Scope scope, StringBuilder out) {
        List<Object> items;
        try {
            items = PyOps.iterate(evaluator.eval(forNode.iterable(), scope));
        } catch (TemplateException e) {
            throw e.withLine(forNode.line());
        }
        if (forNode.filter() != null) {
            // "for x in xs if cond": filtered before the loop so loop.length/last see only kept items.
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = scope.child();
                assign(forNode.target(), item, probe);
                if (PyOps.truthy(evaluator.eval(forNode.filter(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            render(forNode.otherwise(), scope.child(), out);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            Scope iteration = scope.child(); // fresh per iteration: sets do not leak (Jinja scoping)
            try {
                assign(forNode.target(), items.get(i), iteration);
            } catch (TemplateException e) {
                throw e.withLine(forNode.line());
            }
            iteration.set("loop", new LoopContext(items, i));
            try {
                render(forNode.body(), iteration, out);
            } catch (LoopSignal signal) {
                if (signal.isBreak) {
                    break;
                }
            }
        }
    }

    private void assign(Node.Target target, Object value, Scope scope) {
        if (target instanceof Node.NameTarget name) {
            scope.set(name.name(), value);
        } else if (target instanceof Node.TupleTarget tuple) {
            List<Object> parts = PyOps.iterate(PyOps.defined(value));
            if (parts.size() != tuple.names().size()) {
                throw new TemplateException("ValueError: expected " + tuple.names().size()
                        + " values to unpack, got " + parts.size());
            }
            for (int i = 0; i < parts.size(); i++) {
                scope.set(tuple.names().get(i), parts.get(i));
            }
        } else if (target instanceof Node.NamespaceTarget nsTarget) {
            Object holder = scope.lookup(nsTarget.namespace());
            if (!(holder instanceof Namespace namespace)) {
                throw new TemplateException("cannot assign attribute on non-namespace object");
            }
            namespace.set(nsTarget.attribute(), value);
        }
    }
}
