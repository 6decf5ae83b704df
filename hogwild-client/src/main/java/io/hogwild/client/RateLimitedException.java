package io.hogwild.client;

import java.time.Duration;
import java.util.Map;

/** 429: this key's rate limit; try again after {@link #retryAfter()}. */
public class RateLimitedException extends HogwildApiException {

    public RateLimitedException(Map<String, Object> problem, Duration retryAfter) {
        super(429, problem, retryAfter);
    }
}
