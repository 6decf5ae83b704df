package io.hogwild.contracts.worker;

import java.util.List;
import java.util.Map;

/**
 * One event of a session, as streamed by the GPU worker (NDJSON or SSE).
 *
 * @param sessionId the session
 * @param seq 1, 2, 3, ... within the session: a client resumes with {@code ?after=seq}
 * @param type what happened
 * @param atMillis when, epoch milliseconds
 * @param lockstep the lockstep pass counter of the session when it happened
 * @param worker the worker it concerns, if any
 * @param step that worker's step number (1-based), if any
 * @param tokenIds token ids, for {@link SessionEventType#TOKENS}
 * @param text text, as described per type
 * @param data further fields, as described per type
 */
public record SessionEvent(
        String sessionId,
        long seq,
        SessionEventType type,
        long atMillis,
        long lockstep,
        String worker,
        Integer step,
        List<Integer> tokenIds,
        String text,
        Map<String, Object> data) {}
