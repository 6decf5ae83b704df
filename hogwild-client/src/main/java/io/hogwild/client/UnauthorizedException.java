package io.hogwild.client;

import java.util.Map;

/** 401: the API key is missing or unknown. */
public class UnauthorizedException extends HogwildApiException {

    public UnauthorizedException(Map<String, Object> problem) {
        super(401, problem, null);
    }
}
