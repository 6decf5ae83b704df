package io.hogwild.chattemplate;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} for the {@code strftime_now(format)} global that transformers
 * exposes (Llama 3.x templates print "Today Date: 26 Jul 2024" with {@code "%d %b %Y"}). Covers
 * the C89 directives plus glibc's {@code %-d} style no-padding flag; anything else is an error
 * rather than a silently different date.
 */
final class Strftime {

    private Strftime() {
    }

    static String format(ZonedDateTime time, String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            char directive = pattern.charAt(++i);
            boolean pad = true;
            if (directive == '-' && i + 1 < pattern.length()) {
                pad = false;
                directive = pattern.charAt(++i);
            }
            out.append(field(time, directive, pad));
        }
        return out.toString();
    }

    private static String field(ZonedDateTime t, char directive, boolean pad) {
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        return switch (directive) {
            case 'Y' -> Integer.toString(t.getYear());
            case 'y' -> number(t.getYear() % 100, 2, pad);
            case 'm' -> number(t.getMonthValue(), 2, pad);
            case 'd' -> number(t.getDayOfMonth(), 2, pad);
            case 'e' -> pad ? String.format("%2d", t.getDayOfMonth()) : Integer.toString(t.getDayOfMonth());
            case 'j' -> number(t.getDayOfYear(), 3, pad);
            case 'H' -> number(t.getHour(), 2, pad);
            case 'I' -> number(hour12, 2, pad);
            case 'M' -> number(t.getMinute(), 2, pad);
            case 'S' -> number(t.getSecond(), 2, pad);
            case 'f' -> number(t.getNano() / 1000, 6, pad);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case '%' -> "%";
            default -> throw new TemplateException("strftime_now: unsupported directive %" + directive);
        };
    }

    private static String number(int value, int width, boolean pad) {
        String digits = Integer.toString(value);
        return pad && digits.length() < width ? "0".repeat(width - digits.length()) + digits : digits;
    }
}
