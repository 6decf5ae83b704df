package io.hogwild.contracts.run;

import java.util.List;

/**
 * The merged transcript of a run: the shared history (promoted steps in promotion order) and every worker's own
 * transcript.
 *
 * @param runId the run
 * @param status the run's state when it was read
 * @param history promoted steps in promotion order
 * @param workers each worker's transcript, in worker order
 * @param finalAnswer the answer, if any
 */
public record RunTranscript(String runId, RunStatus status, List<HistoryEntry> history,
                            List<WorkerTranscript> workers, String finalAnswer) {}
