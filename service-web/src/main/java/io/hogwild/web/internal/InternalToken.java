package io.hogwild.web.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * The shared service credential, both ways: {@link #matches} checks a presented token in constant time, and
 * {@link #clientFilter} adds it to a WebClient's calls. Only SHA-256 digests are compared, so neither the length nor
 * a prefix of the token leaks through timing; the token itself is never logged nor printed by {@link #toString}.
 */
public final class InternalToken {

    private final String token;
    private final byte[] digest;

    public InternalToken(String token) {
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.digest = this.token == null ? null : sha256(this.token);
    }

    public boolean configured() {
        return token != null;
    }

    /** True only when a token is configured and {@code presented} is that token. */
    public boolean matches(String presented) {
        if (digest == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    /** Adds {@code Authorization: Bearer <token>} to every call (nothing when no token is configured). */
    public ExchangeFilterFunction clientFilter() {
        return (request, next) -> next.exchange(token == null ? request : ClientRequest.from(request)
                .headers(h -> h.setBearerAuth(token))
                .build());
    }

    /** The header value, for callers that do not use a WebClient (null when no token is configured). */
    public String authorizationHeader() {
        return token == null ? null : "Bearer " + token;
    }


    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "InternalToken[" + (configured() ? "configured" : "unset") + "]";
    }
}
