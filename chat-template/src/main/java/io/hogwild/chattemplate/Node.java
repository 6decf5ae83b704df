package io.hogwild.chattemplate;

import java.util.List;

/** Statement nodes of the template AST. */
sealed interface Node {

    /** Literal template text, already whitespace-controlled by the lexer. */
    record Text(String text) implements Node {
    }

    /** {@code {{ expr }}}. */
    record Output(Expr expr, int line) implements Node {
    }

    /** {@code if / elif / else}; {@code otherwise} is empty when there is no else. */
    record If(List<Branch> branches, List<Node> otherwise) implements Node {
    }

    record Branch(Expr condition, List<Node> body) {
    }

    /** {@code for target in iterable [if filter] ... [else ...] endfor}. */
    record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise, int line)
            implements Node {
    }

    /** {@code set target = value}. */
    record Set(Target target, Expr value, int line) implements Node {
    }

    /** {@code set name %}...{% endset}: captures rendered output into a variable. */
    record SetBlock(String name, List<Node> body, int line) implements Node {
    }

    /** {@code macro name(params)}; defaults holds null for parameters without one. */
    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body, int line) implements Node {
    }

    /** {@code break} / {@code continue} (transformers enables jinja2.ext.loopcontrols). */
    record LoopControl(boolean isBreak, int line) implements Node {
    }

    /**
     * {@code generation ... endgeneration}, transformers' marker for assistant tokens. It only
     * affects the assistant mask, so rendering just outputs the body (in its own scope, as the
     * Python extension runs it as a macro call).
     */
    record Generation(List<Node> body) implements Node {
    }

    /** Left-hand side of an assignment or a loop variable. */
    sealed interface Target {
    }

    record NameTarget(String name) implements Target {
    }

    record TupleTarget(List<String> names) implements Target {
    }

    /** {@code ns.attr}: the only attribute assignment Jinja allows, on a namespace() object. */
    record NamespaceTarget(String namespace, String attribute) implements Target {
    }
}
