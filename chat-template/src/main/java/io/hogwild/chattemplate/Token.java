package io.hogwild.chattemplate;

/**
 * A lexical token. Template text and tag delimiters share one stream with the expression tokens
 * found inside tags, so the parser never has to re-scan source text.
 *
 * @param type  what kind of token this is
 * @param text  the source spelling (operator symbol, name) or the literal text for TEXT
 * @param value the decoded literal for STRING, INTEGER and FLOAT tokens, otherwise null
 * @param line  1-based line where the token starts
 */
record Token(Type type, String text, Object value, int line) {

    enum Type {
        TEXT, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END,
        NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean is(Type expected) {
        return type == expected;
    }

    boolean isOperator(String symbol) {
        return type == Type.OPERATOR && text.equals(symbol);
    }

    boolean isName(String name) {
        return type == Type.NAME && text.equals(name);
    }

    String describe() {
        return switch (type) {
            case EOF -> "end of template";
            case BLOCK_END -> "end of statement block";
            case VARIABLE_END -> "end of print statement";
            case TEXT -> "template text";
            default -> "'" + text + "'";
        };
    }
}
