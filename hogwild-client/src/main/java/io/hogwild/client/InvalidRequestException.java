package io.hogwild.client;

import java.util.Map;

/** 400 (or 413, 415, 422): the request is not valid; {@link #field()} names what is wrong. */
public class InvalidRequestException extends HogwildApiException {

    public InvalidRequestException(int status, Map<String, Object> problem) {
        super(status, problem, null);
    }
}
