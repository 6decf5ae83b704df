package io.hogwild.contracts.run;

import java.util.List;

/** One worker's steps in order, rebuilt from the run's event log. */
public record WorkerTranscript(String runId, String worker, List<TranscriptStep> steps, int tokens) {}
