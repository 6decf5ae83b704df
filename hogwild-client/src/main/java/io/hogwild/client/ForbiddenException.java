package io.hogwild.client;

import java.util.Map;

/** 403: the API key may not do this (admin routes need an admin key). */
public class ForbiddenException extends HogwildApiException {

    public ForbiddenException(Map<String, Object> problem) {
        super(403, problem, null);
    }
}
