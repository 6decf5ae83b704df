package io.hogwild.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the lines of a {@code text/event-stream} into events, fed one line at a time (line terminators already
 * removed). Follows the WHATWG rules the gateway relies on: {@code field:value} with one optional space after the
 * colon, several {@code data:} lines joined by newlines, comment lines starting with a colon, an event dispatched at
 * a blank line, and an event without data dropped.
 */
public final class SseParser {

    private final Consumer<SseEvent> sink;
    private final List<String> data = new ArrayList<>();
    private String id;
    private String event;
    private String lastEventId;

    public SseParser(Consumer<SseEvent> sink) {
        this.sink = sink;
    }

    /** The id of the last dispatched event that had one: what to send as {@code Last-Event-ID} when resuming. */
    public String lastEventId() {
        return lastEventId;
    }

    public void line(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.startsWith(":")) {
            return; // a comment, e.g. a keep-alive
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> data.add(value);
            case "event" -> event = value;
            case "id" -> id = value;
            default -> { } // retry and unknown fields do not matter to this client
        }
    }

    /** Call at the end of the stream: a last event not followed by a blank line is incomplete and dropped. */
    public void end() {
        reset();
    }

    private void dispatch() {
        if (id != null) {
            lastEventId = id;
        }
        if (!data.isEmpty()) {
            sink.accept(new SseEvent(id, event == null ? "message" : event, String.join("\n", data)));
        }
        reset();
    }

    private void reset() {
        data.clear();
        id = null;
        event = null;
    }
}
