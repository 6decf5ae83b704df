package io.hogwild.web;

/** Reads {@code Authorization: Bearer <token>} headers the one way all services accept them. */
public final class BearerTokens {

    private BearerTokens() {
    }

    /** The token of a {@code Bearer} header (scheme in any case, surrounding blanks ignored), else null. */
    public static String from(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.length() <= 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
