package io.hogwild.orchestrator.run;

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
        final StringBuilder streamed = new StringBuilder();
        String finishedText;
        int tokens;
        Integer reportedTokens;
        long startedAt;
        Long finishedAt;
        List<BlockExtent> view = List.of();
        boolean promoted;
        boolean finisher;

        StepBuilder(int step, long startedAt) {
            this.step = step;
            this.startedAt = startedAt;
        }

        String text() {
            return finishedText != null ? finishedText : streamed.toString();
        }

        TranscriptStep build() {
            return new TranscriptStep(step, prefix, selfCheck, text(),
                    reportedTokens != null ? reportedTokens : tokens, startedAt, finishedAt, view, promoted, finisher);
        }
    }

    private static final class WorkerState {
        final Map<Integer, StepBuilder> steps = new LinkedHashMap<>();
        StepBuilder current;
        int tokens;

        StepBuilder currentOrNew(Integer step, long at) {
            if (step != null) {
                StepBuilder existing = steps.get(step);
                if (existing != null) {
                    current = existing;
                    return existing;
                }
                return start(step, at);
            }
            if (current == null) {
                return start(steps.size() + 1, at);
            }
            return current;
        }

        StepBuilder start(int step, long at) {
            current = steps.computeIfAbsent(step, s -> new StepBuilder(s, at));
            return current;
        }
    }

    /** The merged transcript; {@code workers} fixes the order (names that only appear in events follow). */
    public static RunTranscript build(String runId, RunStatus status, List<String> workers, List<RunEvent> events,
                                      String finalAnswer) {
        Map<String, WorkerState> states = new LinkedHashMap<>();
        workers.forEach(name -> states.put(name, new WorkerState()));
        List<HistoryEntry> history = new ArrayList<>();
        String answer = finalAnswer;
        for (RunEvent event : events) {
            String worker = event.worker();
            if (event.type() == null) {
                continue;
            }
            switch (event.type()) {
                case STEP_STARTED -> {
                    StepBuilder step = state(states, worker).start(
                            event.step() != null ? event.step() : state(states, worker).steps.size() + 1,
                            event.atMillis());
                    step.prefix = event.text();
                }
                case SELF_CHECK_INSERTED -> state(states, worker).currentOrNew(event.step(), event.atMillis())
                        .selfCheck = event.text();
                case TOKENS -> {
                    WorkerState state = state(states, worker);
                    StepBuilder step = state.currentOrNew(event.step(), event.atMillis());
                    int n = event.tokenIds() == null ? 0 : event.tokenIds().size();
                    step.tokens += n;
                    state.tokens += n;
                    if (event.text() != null) {
                        step.streamed.append(event.text());
                    }
                }
                case STEP_FINISHED -> {
                    StepBuilder step = state(states, worker).currentOrNew(event.step(), event.atMillis());
                    step.finishedAt = event.atMillis();
                    if (event.text() != null) {
                        step.finishedText = event.text();
                    }
                    Object tokens = data(event, "tokens");
                    if (tokens instanceof Number number) {
                        step.reportedTokens = number.intValue();
                    }
                    step.view = extents(data(event, "view"));
                }
                case FINISHER_STARTED -> {
                    StepBuilder step = state(states, worker).currentOrNew(event.step(), event.atMillis());
                    step.finisher = true;
                }
                case STEP_PROMOTED -> {
                    WorkerState state = state(states, worker);
                    StepBuilder step = event.step() != null ? state.steps.get(event.step()) : state.current;
                    String text = event.text();
                    int stepNumber = event.step() != null ? event.step() : step != null ? step.step : 0;
                    if (step != null) {
                        step.promoted = true;
                        if (text == null) {
                            text = step.text();
                        }
                    }
                    Object target = data(event, "target");
                    Object length = data(event, "history_length");
                    history.add(new HistoryEntry(history.size(), worker, stepNumber, text,
                            target == null ? null : target.toString(),
                            length instanceof Number n ? n.intValue() : null, event.atMillis()));
                }
                case FINAL_ANSWER -> {
                    if (answer == null) {
                        answer = event.text();
                    }
                }
                default -> {
                    // Lifecycle events carry no transcript text.
                }
            }
        }
        List<WorkerTranscript> transcripts = new ArrayList<>();
        states.forEach((name, state) -> transcripts.add(new WorkerTranscript(runId, name,
                state.steps.values().stream().map(StepBuilder::build).toList(), state.tokens)));
        return new RunTranscript(runId, status, List.copyOf(history), List.copyOf(transcripts), answer);
    }

    private static WorkerState state(Map<String, WorkerState> states, String worker) {
        return states.computeIfAbsent(worker == null ? "?" : worker, w -> new WorkerState());
    }

    private static Object data(RunEvent event, String key) {
        return event.data() == null ? null : event.data().get(key);
    }

    /** {@code [[block, length], ...]} as the GPU worker sends it; also accepts {@code [{block, length}, ...]}. */
    static List<BlockExtent> extents(Object view) {
        if (!(view instanceof List<?> items)) {
            return List.of();
        }
        List<BlockExtent> extents = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof List<?> pair && pair.size() >= 2 && pair.get(1) instanceof Number length) {
                extents.add(new BlockExtent(String.valueOf(pair.get(0)), length.intValue()));
            } else if (item instanceof Map<?, ?> map && map.get("length") instanceof Number length) {
                extents.add(new BlockExtent(String.valueOf(map.get("block")), length.intValue()));
            }
        }
        return List.copyOf(extents);
    }
}
