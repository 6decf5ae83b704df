package io.hogwild.orchestrator.web;

import org.springframework.http.HttpStatus;

public class NotFoundException extends ApiException {

    public NotFoundException(String what) {
        super(HttpStatus.NOT_FOUND, "not-found", "Not found", what);
    }
}
