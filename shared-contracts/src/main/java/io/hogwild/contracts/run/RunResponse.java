package io.hogwild.contracts.run;

import io.hogwild.contracts.Layout;
import java.time.Instant;
import java.util.List;

/**
 * A run as the gateway's public API shows it ({@code /v1/runs}): the orchestrator's view without its internals (which
 * GPU worker, which session), plus links to follow and cancel it. {@code queue_position} is set while the run is
 * QUEUED (1 = next; 0 = being handed to a GPU worker).
 */
public record RunResponse(
        String id,
        String object,
        RunStatus status,
        Layout layout,
        List<String> workers,
        String model,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String finalAnswer,
        String finishReason,
        String failureReason,
        List<RunWorkerProgress> progress,
        RunRequest request,
        Integer queuePosition,
        Links links) {

    public record Links(String self, String events, String cancel) {}

    public static RunResponse of(RunView run) {
        String self = "/v1/runs/" + run.runId();
        return new RunResponse(run.runId(), "hogwild.run", run.status(), run.layout(), run.workers(), run.model(),
                run.createdAt(), run.startedAt(), run.finishedAt(), run.finalAnswer(), run.finishReason(),
                run.failureReason(), run.progress(), run.request(), run.queuePosition(),
                new Links(self, self + "/events", self + "/cancel"));
    }
}
