package io.hogwild.client;

import java.util.Map;

/** 409: the run is in a state that does not allow it, e.g. cancelling a run that already ended. */
public class ConflictException extends HogwildApiException {

    public ConflictException(Map<String, Object> problem) {
        super(409, problem, null);
    }
}
