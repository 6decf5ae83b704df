package io.hogwild.contracts.run;

import java.util.List;

/**
 * The merged transcript of a run: the shared history (promoted steps in promotion order), every worker's own
 * transcript, and how the run was answered.
 *
 * @param runId the run
 * @param status the run's state when it was read
 * @param history promoted steps in promotion order
 * @param workers each worker's transcript, in worker order
 * @param finisher what the finisher pass generated, null when it did not run
 * @param finalAnswer the answer, if any
 * @param answers every distinct answer and who gave it
 */
public record RunTranscript(String runId, RunStatus status, List<HistoryEntry> history,
                            List<WorkerTranscript> workers, String finisher, String finalAnswer,
                            List<AnswerGiven> answers) {}
