package io.hogwild.contracts.run;

import java.util.List;
import java.util.Map;

/**
 * One recorded event of a run.
 *
 * @param id position in the run's log (a Redis stream id such as {@code 1719830000000-0}); SSE clients resume with it
 *     as {@code Last-Event-ID}
 * @param runId the run
 * @param type what happened
 * @param atMillis when, epoch milliseconds (the GPU worker's clock for session events)
 * @param sessionSeq the GPU worker's sequence number for session events, null for the orchestrator's own
 * @param lockstep the session's lockstep counter, for session events
 * @param worker the worker it concerns, if any
 * @param step that worker's step (1-based), if any
 * @param tokenIds token ids, for {@link RunEventType#TOKENS}
 * @param text text, as described per type
 * @param data further fields, as described per type (e.g. {@code view} of STEP_FINISHED)
 */
public record RunEvent(
        String id,
        String runId,
        RunEventType type,
        long atMillis,
        Long sessionSeq,
        Long lockstep,
        String worker,
        Integer step,
        List<Integer> tokenIds,
        String text,
        Map<String, Object> data) {}
