package io.hogwild.client;

/** Anything that went wrong talking to the platform; the message is fit to show to a person. */
public class HogwildException extends RuntimeException {

    public HogwildException(String message, Throwable cause) {
        super(message, cause);
    }
}
