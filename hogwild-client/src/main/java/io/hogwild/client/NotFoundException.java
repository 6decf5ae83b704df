package io.hogwild.client;

import java.util.Map;

/** 404: no such run (or one another key owns), or no GPU worker serves the model. */
public class NotFoundException extends HogwildApiException {

    public NotFoundException(Map<String, Object> problem) {
        super(404, problem, null);
    }
}
