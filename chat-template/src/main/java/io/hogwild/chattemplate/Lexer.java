package io.hogwild.chattemplate;

import io.hogwild.chattemplate.Token.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Turns template source into one token stream: text runs, tag delimiters and the expression
 * tokens inside tags. Whitespace control is resolved here, as in Jinja, so the parser and the
 * interpreter only ever see the text that will be output:
 * <ul>
 *   <li>{@code {%-}, {@code {{-}, {@code {#-} strip all whitespace before the tag and
 *       {@code -%}}, {@code -}}}, {@code -#}} all whitespace after it;</li>
 *   <li>trim_blocks drops the first newline after a block or comment tag;</li>
 *   <li>lstrip_blocks drops spaces and tabs between the start of a line and a block or comment
 *       tag ({@code {%+} opts out, {@code +%}} opts out of trim_blocks);</li>
 *   <li>line endings are normalised to {@code \n} and one trailing newline of the template is
 *       dropped (Jinja's keep_trailing_newline=False).</li>
 * </ul>
 */
final class Lexer {

    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"
    };

    private final String src;
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final List<Token> tokens = new ArrayList<>();
    private final int[] lineStarts;
    private int pos;

    private Lexer(String source, boolean trimBlocks, boolean lstripBlocks) {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        if (normalized.endsWith("\n")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        this.src = normalized;
        this.trimBlocks = trimBlocks;
        this.lstripBlocks = lstripBlocks;
        String text = normalized;
        this.lineStarts = IntStream.concat(IntStream.of(0),
                IntStream.range(0, text.length()).filter(i -> text.charAt(i) == '\n').map(i -> i + 1)).toArray();
    }

    /** 1-based line of a source offset. */
    private int lineAt(int offset) {
        int index = Arrays.binarySearch(lineStarts, offset);
        return index >= 0 ? index + 1 : -index - 1;
    }

    static List<Token> tokenize(String source, boolean trimBlocks, boolean lstripBlocks) {
        Lexer lexer = new Lexer(source, trimBlocks, lstripBlocks);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (pos < src.length()) {
            int textStart = pos;
            int tagStart = findTagStart(pos);
            String text = src.substring(textStart, tagStart < 0 ? src.length() : tagStart);
            if (tagStart < 0) {
                emitText(text, textStart);
                pos = src.length();
                break;
            }
            char kind = src.charAt(tagStart + 1); // '{', '%' or '#'
            char modifier = tagStart + 2 < src.length() ? src.charAt(tagStart + 2) : 0;
            if (modifier == '-') {
                text = rstripWhitespace(text);
            } else if (modifier != '+' && kind != '{' && lstripBlocks) {
                text = lstripLineBeforeTag(text, textStart);
            }
            emitText(text, textStart);
            pos = tagStart + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            if (kind == '#') {
                lexComment(tagStart);
            } else if (kind == '%' && isRawBlock()) {
                lexRaw();
            } else {
                lexTag(kind == '{');
            }
        }
        tokens.add(new Token(Type.EOF, "", null, lineAt(src.length())));
    }

    private int findTagStart(int from) {
        int i = src.indexOf('{', from);
        while (i >= 0 && i + 1 < src.length()) {
            char next = src.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') {
                return i;
            }
            i = src.indexOf('{', i + 1);
        }
        return -1;
    }

    private void emitText(String text, int sourceStart) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Type.TEXT, text, null, lineAt(sourceStart)));
        }
    }

    private static String rstripWhitespace(String text) {
        int end = text.length();
        while (end > 0 && PyStrings.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    /** lstrip_blocks: remove the indentation in front of a tag that starts its line. */
    private String lstripLineBeforeTag(String text, int textStart) {
        int lineStart = text.lastIndexOf('\n') + 1;
        boolean atLineStart = lineStart > 0 || textStart == 0 || src.charAt(textStart - 1) == '\n';
        if (!atLineStart) {
            return text;
        }
        for (int i = lineStart; i < text.length(); i++) {
            if (!PyStrings.isWhitespace(text.charAt(i))) {
                return text;
            }
        }
        return text.substring(0, lineStart);
    }

    /** Skips whitespace after {@code -%}} / {@code -}}}, or one newline for trim_blocks. */
    private void afterTagEnd(boolean stripAll, boolean trimNewline) {
        if (stripAll) {
            while (pos < src.length() && PyStrings.isWhitespace(src.charAt(pos))) {
                pos++;
            }
        } else if (trimNewline && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
    }

    private void lexComment(int tagStart) {
        int startLine = lineAt(pos);
        int end = src.indexOf("#}", pos);
        if (end < 0) {
            throw new TemplateException("unclosed comment", startLine);
        }
        char before = end > tagStart + 2 ? src.charAt(end - 1) : 0;
        pos = end + 2;
        afterTagEnd(before == '-', before != '+' && trimBlocks);
    }

    private boolean isRawBlock() {
        int i = skipSpaces(pos);
        return src.startsWith("raw", i) && !isNameChar(i + 3) && closesTagAt(skipSpaces(i + 3));
    }

    private boolean closesTagAt(int i) {
        return src.startsWith("%}", i) || src.startsWith("-%}", i);
    }

    /** {@code {% raw %}...{% endraw %}}: the body is output verbatim. */
    private void lexRaw() {
        int startLine = lineAt(pos);
        int close = src.indexOf("%}", pos);
        boolean stripAfterOpen = src.charAt(close - 1) == '-';
        pos = close + 2;
        afterTagEnd(stripAfterOpen, false);
        int searchFrom = pos;
        while (true) {
            int endTag = src.indexOf("{%", searchFrom);
            if (endTag < 0) {
                throw new TemplateException("missing {% endraw %} for raw block", startLine);
            }
            int i = endTag + 2;
            char modifier = i < src.length() ? src.charAt(i) : 0;
            if (modifier == '-' || modifier == '+') {
                i++;
            }
            i = skipSpaces(i);
            if (src.startsWith("endraw", i) && !isNameChar(i + 6) && closesTagAt(skipSpaces(i + 6))) {
                String body = src.substring(pos, endTag);
                if (modifier == '-') {
                    body = rstripWhitespace(body);
                } else if (modifier != '+' && lstripBlocks) {
                    body = lstripLineBeforeTag(body, pos);
                }
                emitText(body, pos);
                int endClose = src.indexOf("%}", i + 6);
                boolean stripAll = src.charAt(endClose - 1) == '-';
                pos = endClose + 2;
                afterTagEnd(stripAll, trimBlocks);
                return;
            }
            searchFrom = endTag + 2;
        }
    }

    private int skipSpaces(int i) {
        while (i < src.length() && PyStrings.isWhitespace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    private boolean isNameChar(int i) {
        return i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_');
    }

    /** Lexes the inside of {{ ... }} or {% ... %} up to and including the closing delimiter. */
    private void lexTag(boolean variable) {
        int startLine = lineAt(pos);
        tokens.add(new Token(variable ? Type.VARIABLE_BEGIN : Type.BLOCK_BEGIN, variable ? "{{" : "{%", null, lineAt(pos)));
        String close = variable ? "}}" : "%}";
        int depth = 0; // brackets; "}}" inside a dict literal does not close the tag
        while (true) {
            while (pos < src.length() && PyStrings.isWhitespace(src.charAt(pos))) {
                pos++;
            }
            if (pos >= src.length()) {
                throw new TemplateException("unexpected end of template, expected '" + close + "'", startLine);
            }
            if (depth == 0) {
                if (src.startsWith("-" + close, pos)) {
                    pos += 3;
                    endTag(variable);
                    afterTagEnd(true, false);
                    return;
                }
                if (!variable && src.startsWith("+" + close, pos)) {
                    pos += 3;
                    endTag(false);
                    return;
                }
                if (src.startsWith(close, pos)) {
                    pos += 2;
                    endTag(variable);
                    afterTagEnd(false, !variable && trimBlocks);
                    return;
                }
            }
            char c = src.charAt(pos);
            if (c == '\'' || c == '"') {
                lexString(c);
            } else if (Character.isDigit(c)) {
                lexNumber();
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (isNameChar(pos)) {
                    pos++;
                }
                tokens.add(new Token(Type.NAME, src.substring(start, pos), null, lineAt(pos)));
            } else {
                String op = matchOperator();
                if (op == null) {
                    throw new TemplateException("unexpected character '" + c + "'", lineAt(pos));
                }
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    if (depth == 0) {
                        throw new TemplateException("unexpected '" + op + "'", lineAt(pos));
                    }
                    depth--;
                }
                tokens.add(new Token(Type.OPERATOR, op, null, lineAt(pos)));
                pos += op.length();
            }
        }
    }

    private void endTag(boolean variable) {
        tokens.add(new Token(variable ? Type.VARIABLE_END : Type.BLOCK_END, variable ? "}}" : "%}", null, lineAt(pos)));
    }

    private String matchOperator() {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                return op;
            }
        }
        return null;
    }

    private void lexString(char quote) {
        int startLine = lineAt(pos);
        int i = pos + 1;
        while (i < src.length() && src.charAt(i) != quote) {
            i += src.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= src.length()) {
            throw new TemplateException("unterminated string literal", startLine);
        }
        String body = src.substring(pos + 1, i);
        tokens.add(new Token(Type.STRING, src.substring(pos, i + 1), PyStrings.unescape(body, startLine), startLine));
        pos = i + 1;
    }

    private void lexNumber() {
        int start = pos;
        if (src.charAt(pos) == '0' && pos + 1 < src.length() && "xXoObB".indexOf(src.charAt(pos + 1)) >= 0) {
            char radixChar = Character.toLowerCase(src.charAt(pos + 1));
            int radix = radixChar == 'x' ? 16 : radixChar == 'o' ? 8 : 2;
            pos += 2;
            while (pos < src.length() && (Character.digit(src.charAt(pos), radix) >= 0 || src.charAt(pos) == '_')) {
                pos++;
            }
            String digits = src.substring(start + 2, pos).replace("_", "");
            tokens.add(new Token(Type.INTEGER, src.substring(start, pos), parseLong(digits, radix), lineAt(start)));
            return;
        }
        skipDigits();
        boolean isFloat = false;
        // "foo.0" is attribute access by index, not a float: only digits after a dot make a float
        // when the number does not itself follow a dot.
        boolean afterDot = !tokens.isEmpty() && tokens.get(tokens.size() - 1).isOperator(".");
        if (!afterDot && pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            skipDigits();
        }
        if (!afterDot && pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                isFloat = true;
                skipDigits();
            } else {
                pos = save;
            }
        }
        String spelled = src.substring(start, pos);
        String clean = spelled.replace("_", "");
        Object value = isFloat ? (Object) Double.parseDouble(clean) : parseLong(clean, 10);
        tokens.add(new Token(isFloat ? Type.FLOAT : Type.INTEGER, spelled, value, lineAt(start)));
    }

    private void skipDigits() {
        while (pos < src.length() && (Character.isDigit(src.charAt(pos))
                || (src.charAt(pos) == '_' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))))) {
            pos++;
        }
    }

    private long parseLong(String digits, int radix) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new TemplateException("integer literal out of range: " + digits, lineAt(pos));
        }
    }
}
