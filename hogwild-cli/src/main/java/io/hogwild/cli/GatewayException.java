package io.hogwild.cli;

/** The gateway could not be reached or refused a call; the message is the one line shown to the user. */
public final class GatewayException extends RuntimeException {

    public GatewayException(String message) {
        super(message);
    }

    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
