package io.hogwild.chattemplate;

import java.util.List;

/** Expression nodes of the template AST. Every node remembers its line for error messages. */
sealed interface Expr {

    int line();

    /** Keyword argument of a call, filter or test: {@code name=value}. */
    record Keyword(String name, Expr value) {
    }

    record Literal(Object value, int line) implements Expr {
    }

    record Name(String name, int line) implements Expr {
    }

    record ListLiteral(List<Expr> items, int line) implements Expr {
    }

    record TupleLiteral(List<Expr> items, int line) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }

    /** {@code target.name}: attribute first, then item (Jinja's getattr). */
    record GetAttr(Expr target, String name, int line) implements Expr {
    }

    /** {@code target[index]}: item first, then attribute (Jinja's getitem). */
    record GetItem(Expr target, Expr index, int line) implements Expr {
    }

    /** {@code target[start:stop:step]}; absent parts are null. */
    record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    record Call(Expr callee, List<Expr> args, List<Keyword> kwargs, int line) implements Expr {
    }

    /** {@code input | name(args)}. */
    record Filter(Expr input, String name, List<Expr> args, List<Keyword> kwargs, int line) implements Expr {
    }

    /** {@code input is [not] name(args)}. */
    record Test(Expr input, String name, List<Expr> args, List<Keyword> kwargs, boolean negated, int line)
            implements Expr {
    }

    /** {@code not}, unary {@code -} and {@code +}. */
    record Unary(String op, Expr operand, int line) implements Expr {
    }

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {
    }

    /** Chained comparison {@code a < b <= c}; ops are "==", "!=", "<", "<=", ">", ">=", "in", "not in". */
    record Compare(Expr first, List<String> ops, List<Expr> operands, int line) implements Expr {
    }

    /** {@code then if condition else otherwise}; otherwise may be null (then it is undefined). */
    record Conditional(Expr condition, Expr then, Expr otherwise, int line) implements Expr {
    }
}
