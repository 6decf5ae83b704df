package io.hogwild.contracts.worker;

import java.util.List;

/** What a GPU worker reports about one session (inspect endpoint). */
public record SessionStatus(
        String sessionId,
        String runId,
        SessionState state,
        long lockstepPasses,
        List<WorkerProgress> workers,
        long cacheBytesAllocated,
        long cacheBytesUsed,
        String finalAnswer,
        String finishReason,
        long lastEventSeq) {}
