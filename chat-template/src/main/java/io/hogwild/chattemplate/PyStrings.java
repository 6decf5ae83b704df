package io.hogwild.chattemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * Python {@code str} behaviour that Java strings do not share. Python strings are sequences of
 * code points (Java: UTF-16 units) and Python's idea of whitespace is wider than
 * {@link Character#isWhitespace} (it includes no-break spaces). Templates index, slice and strip
 * user text, so these differences would show up in rendered prompts.
 */
final class PyStrings {

    private PyStrings() {
    }

    /** Python's {@code str.isspace()} for one code point (also what {@code \s} matches). */
    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case ' ', '\t', '\n', 0x0b, '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
                 0x2028, 0x2029, 0x202f, 0x205f, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200a;
        };
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static String fromCodePoints(int[] cps, int from, int to) {
        return new String(cps, from, to - from);
    }

    /** {@code s.strip(chars)}, {@code lstrip} and {@code rstrip}; null chars means whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int[] cps = codePoints(s);
        int[] strip = chars == null ? null : codePoints(chars);
        int start = 0;
        int end = cps.length;
        if (left) {
            while (start < end && matches(cps[start], strip)) {
                start++;
            }
        }
        if (right) {
            while (end > start && matches(cps[end - 1], strip)) {
                end--;
            }
        }
        return fromCodePoints(cps, start, end);
    }

    private static boolean matches(int cp, int[] set) {
        if (set == null) {
            return isWhitespace(cp);
        }
        for (int c : set) {
            if (c == cp) {
                return true;
            }
        }
        return false;
    }

    /** {@code s.split(sep, maxsplit)}; a null separator splits on runs of whitespace. */
    static List<Object> split(String s, String sep, long maxSplit) {
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = 0;
            while (i < cps.length) {
                while (i < cps.length && isWhitespace(cps[i])) {
                    i++;
                }
                if (i == cps.length) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    // Python keeps the remainder as-is except for leading whitespace.
                    int end = cps.length;
                    while (end > i && isWhitespace(cps[end - 1])) {
                        end--;
                    }
                    parts.add(fromCodePoints(cps, i, end));
                    return parts;
                }
                int start = i;
                while (i < cps.length && !isWhitespace(cps[i])) {
                    i++;
                }
                parts.add(fromCodePoints(cps, start, i));
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new TemplateException("ValueError: empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** {@code s.rsplit(sep, maxsplit)}; only differs from split when maxsplit limits it. */
    static List<Object> rsplit(String s, String sep, long maxSplit) {
        if (maxSplit < 0) {
            return split(s, sep, -1);
        }
        if (sep == null) {
            // Reverse, split from the left, reverse back: whitespace splitting is symmetric.
            String reversed = new StringBuilder(s).reverse().toString();
            List<Object> parts = split(reversed, null, maxSplit);
            List<Object> result = new ArrayList<>();
            for (int i = parts.size() - 1; i >= 0; i--) {
                result.add(new StringBuilder((String) parts.get(i)).reverse().toString());
            }
            return result;
        }
        if (sep.isEmpty()) {
            throw new TemplateException("ValueError: empty separator");
        }
        List<Object> parts = new ArrayList<>();
        int end = s.length();
        while (parts.size() < maxSplit) {
            int at = s.lastIndexOf(sep, end - sep.length());
            if (at < 0) {
                break;
            }
            parts.add(0, s.substring(at + sep.length(), end));
            end = at;
        }
        parts.add(0, s.substring(0, end));
        return parts;
    }

    /** {@code s.splitlines()} without keepends. */
    static List<Object> splitLines(String s) {
        List<Object> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean lineBreak = c == '\n' || c == '\r' || c == 0x0b || c == '\f' || c == 0x1c
                    || c == 0x1d || c == 0x1e || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (lineBreak) {
                lines.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
            i++;
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    /** Python's {@code repr()} of a string: single quotes unless only double quotes avoid escaping. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (isPrintable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp <= 0xff) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xffff) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        });
        return out.append(quote).toString();
    }

    /** Approximates Python's {@code str.isprintable()}: no controls, formats, separators but space. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /**
     * Decodes the backslash escapes of a template string literal the way Python's
     * {@code unicode-escape} codec does (which is what Jinja uses). Unknown escapes such as
     * {@code \d} keep their backslash.
     */
    static String unescape(String body, int line) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                i++;
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { } // line continuation
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x' -> i = appendHex(body, i, 2, out, line);
                case 'u' -> i = appendHex(body, i, 4, out, line);
                case 'U' -> i = appendHex(body, i, 8, out, line);
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i - 1;
                        while (end < body.length() && end < i + 2 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(body.substring(i - 1, end), 8));
                        i = end;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int appendHex(String body, int from, int digits, StringBuilder out, int line) {
        if (from + digits > body.length()) {
            throw new TemplateException("truncated \\x/\\u escape in string literal", line);
        }
        try {
            out.appendCodePoint(Integer.parseInt(body.substring(from, from + digits), 16));
        } catch (IllegalArgumentException e) {
            throw new TemplateException("invalid escape in string literal", line);
        }
        return from + digits;
    }
}
