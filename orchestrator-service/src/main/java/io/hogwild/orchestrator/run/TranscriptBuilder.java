package io.hogwild.orchestrator.run;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.FinisherFinished;
import io.hogwild.contracts.event.EventData.SelfCheckInserted;
import io.hogwild.contracts.event.EventData.SessionFinished;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.run.HistoryEntry;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.TranscriptStep;
import io.hogwild.contracts.run.WorkerTranscript;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds transcripts from a run's event log alone, so the same code serves a live run and one read back long after
 * (and a client that folds the streamed events gets exactly what the admin API returns).
 */
public final class TranscriptBuilder {

    private TranscriptBuilder() {
    }

    private static final class StepBuilder {
        final int step;
        String prefix;
        String selfCheck;
        String selfCheckAnswer;
        String end;
        final StringBuilder streamed = new StringBuilder();
        String finishedText;
        int tokens;
        Integer reportedTokens;
        long startedAt;
        Long finishedAt;
        List<BlockExtent> view = List.of();
        boolean promoted;

        StepBuilder(int step, long startedAt) {
            this.step = step;
            this.startedAt = startedAt;
        }

        String text() {
            return finishedText != null ? finishedText : streamed.toString();
        }

        TranscriptStep build() {
            return new TranscriptStep(step, prefix, selfCheck, selfCheckAnswer, text(),
                    reportedTokens != null ? reportedTokens : tokens, startedAt, finishedAt, view, end, promoted);
        }
    }

    private static final class WorkerState {
        final Map<Integer, StepBuilder> steps = new LinkedHashMap<>();
        int tokens;

        /** The step, started at {@code at} if no earlier event started it (a log read from the middle). */
        StepBuilder step(int step, long at) {
            return steps.computeIfAbsent(step, s -> new StepBuilder(s, at));
        }
    }

    /** The merged transcript; {@code workers} fixes the order (names that only appear in events follow). */
    public static RunTranscript build(String runId, RunStatus status, List<String> workers, List<RunEvent> events,
                                      String finalAnswer) {
        Map<String, WorkerState> states = new LinkedHashMap<>();
        workers.forEach(name -> states.put(name, new WorkerState()));
        List<HistoryEntry> history = new ArrayList<>();
        String answer = finalAnswer;
        String finisher = null;
        List<AnswerGiven> answers = List.of();
        for (RunEvent event : events) {
            long at = event.atMillis();
            EventData data = event.data();
            if (data instanceof StepStarted started) {
                step(states, started, at).prefix = started.prefix();
            } else if (data instanceof SelfCheckInserted check) {
                step(states, check, at).selfCheck = check.question();
            } else if (data instanceof Tokens tokens) {
                StepBuilder step = step(states, tokens, at);
                int n = tokens.tokenIds() == null ? 0 : tokens.tokenIds().size();
                step.tokens += n;
                state(states, tokens.worker()).tokens += n;
                if (tokens.text() != null) {
                    step.streamed.append(tokens.text());
                }
            } else if (data instanceof StepFinished finished) {
                StepBuilder step = step(states, finished, at);
                step.finishedAt = at;
                step.finishedText = finished.text();
                step.reportedTokens = finished.tokens();
                step.view = finished.view() == null ? List.of() : List.copyOf(finished.view());
                step.end = finished.end();
                step.selfCheckAnswer = finished.selfCheckAnswer();
            } else if (data instanceof FinisherFinished done) {
                finisher = done.text();
            } else if (data instanceof SessionFinished end && end.answers() != null) {
                answers = List.copyOf(end.answers());
            } else if (data instanceof StepPromoted promoted) {
                StepBuilder step = state(states, promoted.worker()).steps.get(promoted.step());
                if (step != null) {
                    step.promoted = true;
                }
                history.add(new HistoryEntry(history.size(), promoted.worker(), promoted.step(),
                        step == null ? null : step.text(), promoted.target(), promoted.historyLength(), at));
            } else if (data instanceof FinalAnswer written && answer == null) {
                answer = written.answer();
            }
            // Other events are about the run or the session as a whole: no transcript text.
        }
        List<WorkerTranscript> transcripts = new ArrayList<>();
        states.forEach((name, state) -> transcripts.add(new WorkerTranscript(runId, name,
                state.steps.values().stream().map(StepBuilder::build).toList(), state.tokens)));
        return new RunTranscript(runId, status, List.copyOf(history), List.copyOf(transcripts), finisher, answer,
                answers);
    }

    private static StepBuilder step(Map<String, WorkerState> states, EventData.OfStep event, long at) {
        return state(states, event.worker()).step(event.step(), at);
    }

    private static WorkerState state(Map<String, WorkerState> states, String worker) {
        return states.computeIfAbsent(worker == null ? "?" : worker, w -> new WorkerState());
    }
}
