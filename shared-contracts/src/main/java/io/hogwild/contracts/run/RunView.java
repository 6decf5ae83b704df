package io.hogwild.contracts.run;

import io.hogwild.contracts.Layout;
import java.time.Instant;
import java.util.List;

/**
 * A run as the orchestrator records it.
 *
 * @param runId the run
 * @param status lifecycle state
 * @param layout how the workers share the cache
 * @param workers the workers' names, in order
 * @param model the model id it runs on
 * @param gpuWorker the GPU worker (registry id) that runs it, once chosen
 * @param sessionId the session on that GPU worker
 * @param createdAt when it was accepted
 * @param startedAt when the GPU worker accepted the session
 * @param finishedAt when it reached a final state
 * @param finalAnswer the run's answer (the last valid {@code \boxed{}}, or the finisher's), if any
 * @param answers every distinct answer the run produced and who gave it (empty until the session finished)
 * @param answersDisagree whether more than one distinct answer was given (null until the session finished)
 * @param finishReason why the session ended: {@code answer}, {@code budget}, {@code stopped}, {@code cancelled},
 *     {@code error}
 * @param failureReason what went wrong, for {@link RunStatus#FAILED}
 * @param progress per-worker counters
 * @param request the request as received
 * @param client whose queue the run joined: the API key's name the gateway passed on ({@code internal} without one)
 * @param queuePosition while {@link RunStatus#QUEUED}: 1 = dispatched next, 0 = being handed to a GPU worker now;
 *     null otherwise
 */
public record RunView(
        String runId,
        RunStatus status,
        Layout layout,
        List<String> workers,
        String model,
        String gpuWorker,
        String sessionId,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String finalAnswer,
        List<AnswerGiven> answers,
        Boolean answersDisagree,
        String finishReason,
        String failureReason,
        List<RunWorkerProgress> progress,
        RunRequest request,
        String client,
        Integer queuePosition) {

    /** The same view with its queue position (computed on reading, never stored). */
    public RunView withQueuePosition(Integer position) {
        return new RunView(runId, status, layout, workers, model, gpuWorker, sessionId, createdAt, startedAt,
                finishedAt, finalAnswer, answers, answersDisagree, finishReason, failureReason, progress, request, client,
                position);
    }
}
