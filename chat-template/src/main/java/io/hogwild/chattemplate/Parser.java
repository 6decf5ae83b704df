package io.hogwild.chattemplate;

import io.hogwild.chattemplate.Expr.Keyword;
import io.hogwild.chattemplate.Node.Target;
import io.hogwild.chattemplate.Token.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Recursive-descent parser from tokens to the AST. The expression grammar follows Jinja's own
 * precedence (which differs from Python in places: {@code ~} binds tighter than {@code +}, unary
 * minus tighter than {@code **}, and filters apply to the unary operand, so
 * {@code messages|length - 1} is {@code (messages|length) - 1}).
 *
 * <p>Unknown filters and tests are rejected here, at compile time, like Jinja does.
 */
final class Parser {

    /** Jinja tags this renderer deliberately does not implement; reported as unsupported, not unknown. */
    private static final Set<String> UNSUPPORTED_TAGS = Set.of(
            "include", "import", "from", "extends", "block", "call", "filter", "with", "autoescape", "do");

    private final List<Token> tokens;
    private final Predicate<String> knownFilter;
    private final Predicate<String> knownTest;
    private int index;
    private int loopDepth;

    private Parser(List<Token> tokens, Predicate<String> knownFilter, Predicate<String> knownTest) {
        this.tokens = tokens;
        this.knownFilter = knownFilter;
        this.knownTest = knownTest;
    }

    static List<Node> parse(List<Token> tokens, Predicate<String> knownFilter, Predicate<String> knownTest) {
        Parser parser = new Parser(tokens, knownFilter, knownTest);
        List<Node> body = parser.parseBody(Set.of());
        if (!parser.peek().is(Type.EOF)) {
            Token stray = parser.peek();
            throw new TemplateException("unexpected '" + stray.text() + "' tag", stray.line());
        }
        return body;
    }

    // ----------------------------------------------------------------- statements

    /**
     * Parses nodes until EOF or a block tag whose name is in {@code endTags}. On return the
     * cursor is on that tag's name token (so the caller can see which end tag it was).
     */
    private List<Node> parseBody(Set<String> endTags) {
        List<Node> body = new ArrayList<>();
        while (true) {
            Token token = peek();
            switch (token.type()) {
                case EOF -> {
                    if (!endTags.isEmpty()) {
                        throw new TemplateException("unexpected end of template, expected one of "
                                + endTags.stream().sorted().toList(), token.line());
                    }
                    return body;
                }
                case TEXT -> {
                    next();
                    body.add(new Node.Text(token.text()));
                }
                case VARIABLE_BEGIN -> {
                    next();
                    Expr expr = parseTuple(true);
                    expect(Type.VARIABLE_END);
                    body.add(new Node.Output(expr, token.line()));
                }
                case BLOCK_BEGIN -> {
                    Token name = tokens.get(index + 1);
                    if (name.is(Type.NAME) && endTags.contains(name.text())) {
                        next();
                        return body;
                    }
                    next();
                    body.add(parseStatement());
                }
                default -> throw new TemplateException("unexpected " + token.describe(), token.line());
            }
        }
    }

    private Node parseStatement() {
        Token name = next();
        if (!name.is(Type.NAME)) {
            throw new TemplateException("expected a tag name, got " + name.describe(), name.line());
        }
        return switch (name.text()) {
            case "if" -> parseIf();
            case "for" -> parseFor(name.line());
            case "set" -> parseSet(name.line());
            case "macro" -> parseMacro(name.line());
            case "break", "continue" -> parseLoopControl(name);
            case "generation" -> {
                expect(Type.BLOCK_END);
                List<Node> body = parseBody(Set.of("endgeneration"));
                endTag();
                yield new Node.Generation(body);
            }
            default -> throw new TemplateException((UNSUPPORTED_TAGS.contains(name.text())
                    ? "unsupported tag '" : "Encountered unknown tag '") + name.text() + "'.", name.line());
        };
    }

    /** Consumes the rest of an end tag ({@code endif %}) after parseBody stopped on it. */
    private void endTag() {
        next();
        expect(Type.BLOCK_END);
    }

    private Node parseIf() {
        List<Node.Branch> branches = new ArrayList<>();
        List<Node> otherwise = List.of();
        Expr condition = parseTuple(true);
        expect(Type.BLOCK_END);
        while (true) {
            List<Node> body = parseBody(Set.of("elif", "else", "endif"));
            branches.add(new Node.Branch(condition, body));
            Token tag = next();
            if (tag.text().equals("elif")) {
                condition = parseTuple(true);
                expect(Type.BLOCK_END);
            } else if (tag.text().equals("else")) {
                expect(Type.BLOCK_END);
                otherwise = parseBody(Set.of("endif"));
                endTag();
                break;
            } else {
                expect(Type.BLOCK_END);
                break;
            }
        }
        return new Node.If(branches, otherwise);
    }

    private Node parseFor(int line) {
        Target target = parseTarget(false);
        expectName("in");
        // No conditional expression here: "for x in xs if cond" is the loop filter.
        Expr iterable = parseTuple(false);
        Expr filter = null;
        if (peek().isName("if")) {
            next();
            filter = parseExpression(true);
        }
        if (peek().isName("recursive")) {
            throw new TemplateException("recursive for loops are not supported", peek().line());
        }
        expect(Type.BLOCK_END);
        loopDepth++;
        List<Node> body = parseBody(Set.of("else", "endfor"));
        loopDepth--;
        List<Node> otherwise = List.of();
        if (next().text().equals("else")) {
            expect(Type.BLOCK_END);
            otherwise = parseBody(Set.of("endfor"));
            endTag();
        } else {
            expect(Type.BLOCK_END);
        }
        return new Node.For(target, iterable, filter, body, otherwise, line);
    }

    private Node parseSet(int line) {
        Target target = parseTarget(true);
        if (peek().is(Type.BLOCK_END)) {
            if (!(target instanceof Node.NameTarget nameTarget)) {
                throw new TemplateException("a block set needs a plain variable name", line);
            }
            next();
            List<Node> body = parseBody(Set.of("endset"));
            endTag();
            return new Node.SetBlock(nameTarget.name(), body, line);
        }
        expectOperator("=");
        Expr value = parseTuple(true);
        expect(Type.BLOCK_END);
        return new Node.Set(target, value, line);
    }

    private Target parseTarget(boolean allowNamespace) {
        boolean parenthesized = peek().isOperator("(");
        if (parenthesized) {
            next();
        }
        List<String> names = new ArrayList<>();
        Token first = expect(Type.NAME);
        if (allowNamespace && !parenthesized && peek().isOperator(".")) {
            next();
            return new Node.NamespaceTarget(first.text(), expect(Type.NAME).text());
        }
        names.add(first.text());
        while (peek().isOperator(",")) {
            next();
            if (!peek().is(Type.NAME)) {
                break;
            }
            names.add(next().text());
        }
        if (parenthesized) {
            expectOperator(")");
        }
        return names.size() == 1 && !parenthesized ? new Node.NameTarget(names.get(0)) : new Node.TupleTarget(names);
    }

    private Node parseMacro(int line) {
        String name = expect(Type.NAME).text();
        expectOperator("(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!peek().isOperator(")")) {
            if (!params.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator(")")) {
                    break;
                }
            }
            params.add(expect(Type.NAME).text());
            if (peek().isOperator("=")) {
                next();
                defaults.add(parseExpression(true));
            } else {
                defaults.add(null);
            }
        }
        next();
        expect(Type.BLOCK_END);
        int savedDepth = loopDepth;
        loopDepth = 0; // a macro body is not inside the caller's loop
        List<Node> body = parseBody(Set.of("endmacro"));
        loopDepth = savedDepth;
        endTag();
        return new Node.Macro(name, params, defaults, body, line);
    }

    private Node parseLoopControl(Token name) {
        if (loopDepth == 0) {
            throw new TemplateException("'" + name.text() + "' outside of a for loop", name.line());
        }
        expect(Type.BLOCK_END);
        return new Node.LoopControl(name.text().equals("break"), name.line());
    }

    // ----------------------------------------------------------------- expressions

    /** An expression, or several separated by commas (an implicit tuple, as in {@code set a = 1, 2}). */
    private Expr parseTuple(boolean withConditional) {
        int line = peek().line();
        Expr first = parseExpression(withConditional);
        if (!peek().isOperator(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (peek().isOperator(",")) {
            next();
            if (!startsExpression(peek())) {
                break;
            }
            items.add(parseExpression(withConditional));
        }
        return new Expr.TupleLiteral(items, line);
    }

    private boolean startsExpression(Token t) {
        return switch (t.type()) {
            case NAME, STRING, INTEGER, FLOAT -> true;
            case OPERATOR -> t.text().equals("(") || t.text().equals("[") || t.text().equals("{")
                    || t.text().equals("-") || t.text().equals("+");
            default -> false;
        };
    }

    private Expr parseExpression(boolean withConditional) {
        return withConditional ? parseConditional() : parseOr();
    }

    private Expr parseConditional() {
        Expr expr = parseOr();
        while (peek().isName("if")) {
            int line = next().line();
            Expr condition = parseOr();
            Expr otherwise = null;
            if (peek().isName("else")) {
                next();
                otherwise = parseConditional();
            }
            expr = new Expr.Conditional(condition, expr, otherwise, line);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (peek().isName("or")) {
            int line = next().line();
            left = new Expr.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (peek().isName("and")) {
            int line = next().line();
            left = new Expr.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Expr.Unary("not", parseNot(), line);
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = peek().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = peek();
            String op;
            if (t.type() == Type.OPERATOR && Set.of("==", "!=", "<", "<=", ">", ">=").contains(t.text())) {
                op = t.text();
                next();
            } else if (t.isName("in")) {
                op = "in";
                next();
            } else if (t.isName("not") && tokens.get(index + 1).isName("in")) {
                op = "not in";
                next();
                next();
            } else {
                break;
            }
            ops.add(op);
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, operands, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (peek().isOperator("+") || peek().isOperator("-")) {
            Token op = next();
            left = new Expr.Binary(op.text(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (peek().isOperator("~")) {
            Token op = next();
            left = new Expr.Binary("~", left, parseMath2(), op.line());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (peek().isOperator("*") || peek().isOperator("/") || peek().isOperator("//") || peek().isOperator("%")) {
            Token op = next();
            left = new Expr.Binary(op.text(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (peek().isOperator("**")) {
            Token op = next();
            left = new Expr.Binary("**", left, parseUnary(true), op.line());
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = peek();
        Expr expr;
        if (t.isOperator("-") || t.isOperator("+")) {
            next();
            expr = new Expr.Unary(t.text(), parseUnary(false), t.line());
        } else {
            expr = parsePostfix(parsePrimary());
        }
        return withFilter ? parseFilterChain(expr) : expr;
    }

    private Expr parsePrimary() {
        Token t = next();
        switch (t.type()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE, t.line());
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE, t.line());
                    case "none", "None" -> new Expr.Literal(null, t.line());
                    default -> new Expr.Name(t.text(), t.line());
                };
            }
            case STRING -> {
                // Adjacent string literals concatenate, as in Python.
                StringBuilder value = new StringBuilder((String) t.value());
                while (peek().is(Type.STRING)) {
                    value.append((String) next().value());
                }
                return new Expr.Literal(value.toString(), t.line());
            }
            case INTEGER, FLOAT -> {
                return new Expr.Literal(t.value(), t.line());
            }
            case OPERATOR -> {
                switch (t.text()) {
                    case "(" -> {
                        return parseParenthesized(t.line());
                    }
                    case "[" -> {
                        List<Expr> items = parseSequence("]");
                        return new Expr.ListLiteral(items, t.line());
                    }
                    case "{" -> {
                        return parseDict(t.line());
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        throw new TemplateException("Expected an expression, got " + t.describe(), t.line());
    }

    private Expr parseParenthesized(int line) {
        if (peek().isOperator(")")) {
            next();
            return new Expr.TupleLiteral(List.of(), line);
        }
        Expr first = parseExpression(true);
        if (peek().isOperator(")")) {
            next();
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (peek().isOperator(",")) {
            next();
            if (peek().isOperator(")")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOperator(")");
        return new Expr.TupleLiteral(items, line);
    }

    /** Comma-separated expressions up to {@code close}, trailing comma allowed; consumes close. */
    private List<Expr> parseSequence(String close) {
        List<Expr> items = new ArrayList<>();
        while (!peek().isOperator(close)) {
            if (!items.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator(close)) {
                    break;
                }
            }
            items.add(parseExpression(true));
        }
        next();
        return items;
    }

    private Expr parseDict(int line) {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!peek().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator("}")) {
                    break;
                }
            }
            keys.add(parseExpression(true));
            expectOperator(":");
            values.add(parseExpression(true));
        }
        next();
        return new Expr.DictLiteral(keys, values, line);
    }

    private Expr parsePostfix(Expr expr) {
        while (true) {
            Token t = peek();
            if (t.isOperator(".")) {
                next();
                Token attr = next();
                if (attr.is(Type.NAME)) {
                    expr = new Expr.GetAttr(expr, attr.text(), t.line());
                } else if (attr.is(Type.INTEGER)) {
                    expr = new Expr.GetItem(expr, new Expr.Literal(attr.value(), attr.line()), t.line());
                } else {
                    throw new TemplateException("expected an attribute name after '.', got " + attr.describe(), attr.line());
                }
            } else if (t.isOperator("[")) {
                next();
                expr = parseSubscript(expr, t.line());
            } else if (t.isOperator("(")) {
                expr = parseCall(expr);
            } else {
                return expr;
            }
        }
    }

    private Expr parseSubscript(Expr target, int line) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!peek().isOperator("]")) {
            if (peek().isOperator(":")) {
                next();
                slice = true;
                part++;
                if (part > 2) {
                    throw new TemplateException("too many ':' in slice", line);
                }
            } else if (peek().isOperator(",")) {
                throw new TemplateException("tuple subscripts are not supported", line);
            } else {
                if (parts[part] != null) {
                    throw new TemplateException("expected ']' in subscript", peek().line());
                }
                parts[part] = parseExpression(true);
            }
        }
        next();
        if (!slice) {
            if (parts[0] == null) {
                throw new TemplateException("empty subscript", line);
            }
            return new Expr.GetItem(target, parts[0], line);
        }
        return new Expr.Slice(target, parts[0], parts[1], parts[2], line);
    }

    private Expr parseCall(Expr callee) {
        int line = next().line();
        List<Expr> args = new ArrayList<>();
        List<Keyword> kwargs = new ArrayList<>();
        parseArguments(args, kwargs);
        return new Expr.Call(callee, args, kwargs, line);
    }

    /** Argument list after '(' up to and including ')'. */
    private void parseArguments(List<Expr> args, List<Keyword> kwargs) {
        while (!peek().isOperator(")")) {
            if (!args.isEmpty() || !kwargs.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator(")")) {
                    break;
                }
            }
            Token t = peek();
            if (t.isOperator("*") || t.isOperator("**")) {
                throw new TemplateException("*args / **kwargs in calls are not supported", t.line());
            }
            if (t.is(Type.NAME) && tokens.get(index + 1).isOperator("=")) {
                next();
                next();
                kwargs.add(new Keyword(t.text(), parseExpression(true)));
            } else {
                if (!kwargs.isEmpty()) {
                    throw new TemplateException("positional argument after keyword argument", t.line());
                }
                args.add(parseExpression(true));
            }
        }
        next();
    }

    private Expr parseFilterChain(Expr expr) {
        while (true) {
            Token t = peek();
            if (t.isOperator("|")) {
                next();
                expr = parseFilter(expr);
            } else if (t.isName("is")) {
                next();
                expr = parseTest(expr, t.line());
            } else if (t.isOperator("(")) {
                expr = parseCall(expr);
            } else {
                return expr;
            }
        }
    }

    private Expr parseFilter(Expr input) {
        Token nameToken = expect(Type.NAME);
        StringBuilder name = new StringBuilder(nameToken.text());
        while (peek().isOperator(".")) {
            next();
            name.append('.').append(expect(Type.NAME).text());
        }
        if (!knownFilter.test(name.toString())) {
            throw new TemplateException("No filter named '" + name + "'.", nameToken.line());
        }
        List<Expr> args = new ArrayList<>();
        List<Keyword> kwargs = new ArrayList<>();
        if (peek().isOperator("(")) {
            next();
            parseArguments(args, kwargs);
        }
        return new Expr.Filter(input, name.toString(), args, kwargs, nameToken.line());
    }

    private Expr parseTest(Expr input, int line) {
        boolean negated = false;
        if (peek().isName("not")) {
            next();
            negated = true;
        }
        Token nameToken = next();
        String name = nameToken.text();
        if (!nameToken.is(Type.NAME) || !knownTest.test(name)) {
            throw new TemplateException("No test named '" + name + "'.", nameToken.line());
        }
        List<Expr> args = new ArrayList<>();
        List<Keyword> kwargs = new ArrayList<>();
        Token t = peek();
        if (t.isOperator("(")) {
            next();
            parseArguments(args, kwargs);
        } else if ((t.is(Type.NAME) || t.is(Type.STRING) || t.is(Type.INTEGER) || t.is(Type.FLOAT)
                || t.isOperator("(") || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            // One argument without parentheses: "is divisibleby 3", "is sameas false".
            if (t.isName("is")) {
                throw new TemplateException("You cannot chain multiple tests with is", t.line());
            }
            args.add(parsePostfix(parsePrimary()));
        }
        return new Expr.Test(input, name, args, kwargs, negated, line);
    }

    // ----------------------------------------------------------------- token helpers

    private Token peek() {
        return tokens.get(index);
    }

    private Token next() {
        Token t = tokens.get(index);
        if (!t.is(Type.EOF)) {
            index++;
        }
        return t;
    }

    private Token expect(Type type) {
        Token t = next();
        if (!t.is(type)) {
            String wanted = switch (type) {
                case BLOCK_END -> "end of statement block";
                case VARIABLE_END -> "end of print statement";
                case NAME -> "a name";
                default -> type.name();
            };
            throw new TemplateException("expected " + wanted + ", got " + t.describe(), t.line());
        }
        return t;
    }

    private void expectOperator(String symbol) {
        Token t = next();
        if (!t.isOperator(symbol)) {
            throw new TemplateException("expected '" + symbol + "', got " + t.describe(), t.line());
        }
    }

    private void expectName(String name) {
        Token t = next();
        if (!t.isName(name)) {
            throw new TemplateException("expected '" + name + "', got " + t.describe(), t.line());
        }
    }
}
