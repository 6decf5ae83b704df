package io.hogwild.lockstep;

/** A session plan the engine cannot run as given; {@link #field()} names the offending part (snake_case path). */
public class InvalidPlanException extends IllegalArgumentException {

    private final String field;

    public InvalidPlanException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
