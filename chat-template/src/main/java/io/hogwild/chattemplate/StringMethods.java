package io.hogwild.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Python {@code str} methods templates call, e.g. Qwen3's
 * {@code message.content.split('</think>')[-1].lstrip('\n')}. Each returns a bound method, or
 * null when Python's str has no such (supported) method.
 */
final class StringMethods {

    private StringMethods() {
    }

    static BoundMethod lookup(String s, String name) {
        TemplateCallable impl = switch (name) {
            case "startswith" -> args -> affix(s, args.accept(3).required(0, "prefix"), args, true);
            case "endswith" -> args -> affix(s, args.accept(3).required(0, "suffix"), args, false);
            case "strip" -> args -> PyStrings.strip(s, args.accept(1).string(0, "chars", null), true, true);
            case "lstrip" -> args -> PyStrings.strip(s, args.accept(1).string(0, "chars", null), true, false);
            case "rstrip" -> args -> PyStrings.strip(s, args.accept(1).string(0, "chars", null), false, true);
            case "split" -> args -> PyStrings.split(s, args.accept(2, "sep", "maxsplit").string(0, "sep", null),
                    intArg(args, 1, "maxsplit", -1));
            case "rsplit" -> args -> PyStrings.rsplit(s, args.accept(2, "sep", "maxsplit").string(0, "sep", null),
                    intArg(args, 1, "maxsplit", -1));
            case "splitlines" -> args -> PyStrings.splitLines(s);
            case "upper" -> args -> s.toUpperCase(Locale.ROOT);
            case "lower" -> args -> s.toLowerCase(Locale.ROOT);
            case "title" -> args -> title(s);
            case "capitalize" -> args -> capitalize(s);
            case "replace" -> args -> replace(s, args.accept(3).string(0, "old", null), args.string(1, "new", null),
                    intArg(args, 2, "count", -1));
            case "find" -> args -> (long) codePointIndex(s, s.indexOf(args.accept(1).string(0, "sub", null)));
            case "rfind" -> args -> (long) codePointIndex(s, s.lastIndexOf(args.accept(1).string(0, "sub", null)));
            case "count" -> args -> count(s, args.accept(1).string(0, "sub", null));
            case "join" -> args -> join(s, args.accept(1).required(0, "iterable"));
            case "isdigit" -> args -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> args -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> args -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> args -> !s.isEmpty() && s.codePoints().allMatch(PyStrings::isWhitespace);
            case "islower" -> args -> hasCased(s) && s.equals(s.toLowerCase(Locale.ROOT));
            case "isupper" -> args -> hasCased(s) && s.equals(s.toUpperCase(Locale.ROOT));
            default -> null;
        };
        return impl == null ? null : new BoundMethod(name, s, impl);
    }

    private static long intArg(CallArguments args, int position, String name, long fallback) {
        Object value = args.get(position, name, fallback);
        if (!PyOps.isInteger(value)) {
            throw PyOps.typeError("'" + PyOps.typeName(value) + "' object cannot be interpreted as an integer");
        }
        return PyOps.asLong(value);
    }

    /** startswith/endswith accept one string or a tuple of alternatives, plus optional start/end. */
    private static boolean affix(String s, Object affix, CallArguments args, boolean start) {
        String target = s;
        if (args.positional().size() > 1) {
            target = (String) PyOps.slice(s, args.positional().get(1),
                    args.positional().size() > 2 ? args.positional().get(2) : null, null);
        }
        List<Object> options = affix instanceof PyTuple tuple ? tuple : List.of(affix);
        for (Object option : options) {
            if (!(option instanceof String text)) {
                throw PyOps.typeError((start ? "startswith" : "endswith")
                        + " first arg must be str or a tuple of str, not " + PyOps.typeName(option));
            }
            if (start ? target.startsWith(text) : target.endsWith(text)) {
                return true;
            }
        }
        return false;
    }

    private static String replace(String s, String old, String replacement, long count) {
        if (old == null || replacement == null) {
            throw PyOps.typeError("replace() expects two string arguments");
        }
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (long done = 0; done < count; done++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            if (old.isEmpty()) {
                if (from >= s.length()) {
                    break;
                }
                out.append(s.charAt(from));
                from++;
            }
        }
        return out.append(s.substring(Math.min(from, s.length()))).toString();
    }

    private static int codePointIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return PyStrings.length(s) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object iterable) {
        List<String> parts = new ArrayList<>();
        for (Object item : PyOps.iterate(iterable)) {
            if (!(item instanceof String text)) {
                throw PyOps.typeError("sequence item " + parts.size() + ": expected str instance, "
                        + PyOps.typeName(item) + " found");
            }
            parts.add(text);
        }
        return String.join(separator, parts);
    }

    private static boolean hasCased(String s) {
        return s.codePoints().anyMatch(cp -> Character.isUpperCase(cp) || Character.isLowerCase(cp));
    }

    /** Python's str.title(): a letter after a non-letter is upper-cased, others lower-cased. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int cp : PyStrings.codePoints(s)) {
            boolean cased = Character.isLetter(cp);
            out.appendCodePoint(cased ? (previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp)) : cp);
            previousCased = cased;
        }
        return out.toString();
    }

    /** Python's str.capitalize(): first character upper-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new String(Character.toChars(Character.toTitleCase(first)))
                + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }
}
