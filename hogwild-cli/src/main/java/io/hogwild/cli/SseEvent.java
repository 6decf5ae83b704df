package io.hogwild.cli;

/**
 * One server-sent event.
 *
 * @param id the {@code id:} field, or null when the event had none
 * @param event the {@code event:} field, {@code message} when absent (as the SSE standard says)
 * @param data the {@code data:} lines joined with newlines
 */
public record SseEvent(String id, String event, String data) {}
