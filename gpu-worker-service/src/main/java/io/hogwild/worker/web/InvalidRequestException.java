package io.hogwild.worker.web;

/** A request a client can fix: answered 400 with a problem that names the offending field (snake_case path). */
public class InvalidRequestException extends RuntimeException {

    private final String field;

    public InvalidRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
