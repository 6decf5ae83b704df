package io.hogwild.orchestrator.web;

import org.springframework.http.HttpStatus;

/** A request the orchestrator will not run; names the offending field (snake_case, as the client sent it). */
public class InvalidRequestException extends ApiException {

    private final String field;

    public InvalidRequestException(String field, String detail) {
        // The detail always starts with the field, so a person reading only the message knows what to fix.
        super(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                detail.startsWith(field) ? detail : field + ": " + detail);
        this.field = field;
        with("field", field);
    }

    public String field() {
        return field;
    }
}
