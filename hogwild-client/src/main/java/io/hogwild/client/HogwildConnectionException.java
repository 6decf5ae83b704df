package io.hogwild.client;

/** The gateway could not be reached, dropped the connection, or did not answer in time. */
public class HogwildConnectionException extends HogwildException {

    private final boolean timedOut;

    public HogwildConnectionException(String message, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.timedOut = timedOut;
    }

    /** True when the gateway was reached but did not answer in time. */
    public boolean timedOut() {
        return timedOut;
    }
}
