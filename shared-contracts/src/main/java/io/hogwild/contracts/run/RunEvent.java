package io.hogwild.contracts.run;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventType;

/**
 * One recorded event of a run: the orchestrator's own or one the GPU worker streamed. On the wire the event's type is
 * a top-level {@code type} beside {@code data} (Jackson's external type id), which says which {@link EventData} record
 * {@code data} is.
 *
 * @param id position in the run's log (a Redis stream id such as {@code 1719830000000-0}); SSE clients resume with it
 *     as {@code Last-Event-ID}
 * @param runId the run
 * @param atMillis when, epoch milliseconds (the GPU worker's clock for session events)
 * @param sessionSeq the GPU worker's sequence number for session events, null for the orchestrator's own
 * @param lockstep the session's lockstep counter, for session events
 * @param data what happened
 */
public record RunEvent(
        String id,
        String runId,
        long atMillis,
        Long sessionSeq,
        Long lockstep,
        @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXTERNAL_PROPERTY, property = "type")
        EventData data) {

    /** What happened (the type of {@link #data}); null only for a lenient reader that met a type it does not know. */
    public EventType type() {
        return data == null ? null : data.type();
    }
}
