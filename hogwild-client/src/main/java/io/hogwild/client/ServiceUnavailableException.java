package io.hogwild.client;

import java.time.Duration;
import java.util.Map;

/** 502, 503 or 504: no GPU capacity right now, or a service behind the gateway is down; {@link #retryAfter()} says when to try again. */
public class ServiceUnavailableException extends HogwildApiException {

    public ServiceUnavailableException(int status, Map<String, Object> problem, Duration retryAfter) {
        super(status, problem, retryAfter);
    }
}
