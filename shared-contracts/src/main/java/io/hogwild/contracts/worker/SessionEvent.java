package io.hogwild.contracts.worker;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventType;

/**
 * One event of a session, as streamed by the GPU worker (NDJSON or SSE). On the wire the event's type is a top-level
 * {@code type} beside {@code data} (Jackson's external type id), which says which {@link EventData} record
 * {@code data} is.
 *
 * @param sessionId the session
 * @param seq 1, 2, 3, ... within the session: a client resumes with {@code ?after=seq}
 * @param atMillis when, epoch milliseconds
 * @param lockstep the lockstep pass counter of the session when it happened
 * @param data what happened
 */
public record SessionEvent(
        String sessionId,
        long seq,
        long atMillis,
        long lockstep,
        @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXTERNAL_PROPERTY, property = "type")
        EventData data) {

    /** What happened (the type of {@link #data}); null only for a lenient reader that met a type it does not know. */
    public EventType type() {
        return data == null ? null : data.type();
    }
}
