package io.hogwild.client;

/**
 * A run's event stream kept breaking (or ending before {@code RUN_ENDED}) and could not be resumed within the
 * configured reconnects. Every event before {@link #lastEventId()} was delivered exactly once; follow the run again
 * from there with {@link HogwildClient#events(String, String)}.
 */
public class EventStreamException extends HogwildException {

    private final String runId;
    private final String lastEventId;

    public EventStreamException(String runId, String lastEventId, String message, Throwable cause) {
        super(message, cause);
        this.runId = runId;
        this.lastEventId = lastEventId;
    }

    public String runId() {
        return runId;
    }

    /** The id of the last event delivered, or null when none was. */
    public String lastEventId() {
        return lastEventId;
    }
}
