package io.hogwild.collaboration.plan;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.collaboration.prompt.PromptTexts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a rendered prompt and the run settings into the GPU worker's session plan: which cache blocks exist, what each
 * worker reads (its view, own step block last) and where its finished steps go.
 */
public class PlanBuilder {

    public static final String PROMPT = "prompt";
    public static final String HISTORY_HEADER = "history-header";
    public static final String HISTORY = "history";
    public static final String IN_PROGRESS_HEADER = "in-progress-header";
    public static final String SHARED_STREAM = "stream";

    public static String stepBlock(String worker) {
        return "step-" + worker.toLowerCase(Locale.ROOT);
    }

    public static String historyBlock(String worker) {
        return "history-" + worker.toLowerCase(Locale.ROOT);
    }

    public SessionPlan build(String runId, String sessionId, String renderedPrompt, RunSettings settings) {
        List<BlockSpec> blocks = new ArrayList<>();
        List<WorkerSpec> workers = new ArrayList<>();
        blocks.add(new BlockSpec(PROMPT, BlockRole.PROMPT, renderedPrompt, null));
        List<String> names = settings.names();
        switch (settings.layout()) {
            case COMBINED -> {
                blocks.add(new BlockSpec(HISTORY_HEADER, BlockRole.HEADER, PromptTexts.HISTORY_HEADER, null));
                blocks.add(new BlockSpec(HISTORY, BlockRole.HISTORY, null, null));
                blocks.add(new BlockSpec(IN_PROGRESS_HEADER, BlockRole.HEADER, PromptTexts.IN_PROGRESS_HEADER, null));
                names.forEach(name -> blocks.add(new BlockSpec(stepBlock(name), BlockRole.WORKER_STEP, null, null)));
                for (String name : names) {
                    List<String> view = new ArrayList<>(List.of(PROMPT, HISTORY_HEADER, HISTORY, IN_PROGRESS_HEADER));
                    // The others' unfinished steps come before the worker's own, which must be last: it is the
                    // block the worker writes, so its next token sits right after its own text.
                    names.stream().filter(other -> !other.equals(name)).map(PlanBuilder::stepBlock).forEach(view::add);
                    view.add(stepBlock(name));
                    workers.add(new WorkerSpec(name, List.copyOf(view), HISTORY));
                }
            }
            case INTERLEAVED -> {
                blocks.add(new BlockSpec(SHARED_STREAM, BlockRole.SHARED_STREAM, null, null));
                names.forEach(name -> workers.add(new WorkerSpec(name, List.of(PROMPT, SHARED_STREAM), null)));
            }
            case INDEPENDENT, SINGLE -> {
                // Baselines: each worker only ever sees the prompt and its own text.
                for (String name : names) {
                    String history = settings.layout() == Layout.SINGLE ? HISTORY : historyBlock(name);
                    blocks.add(new BlockSpec(history, BlockRole.HISTORY, null, null));
                    blocks.add(new BlockSpec(stepBlock(name), BlockRole.WORKER_STEP, null, null));
                    workers.add(new WorkerSpec(name, List.of(PROMPT, history, stepBlock(name)), history));
                }
            }
            default -> throw new IllegalArgumentException("unknown layout " + settings.layout());
        }
        return new SessionPlan(sessionId, runId, settings.layout(), List.copyOf(blocks), List.copyOf(workers),
                policy(settings), sampling(settings));
    }

    static CollaborationPolicy policy(RunSettings settings) {
        return new CollaborationPolicy(
                PromptTexts.STEP_PREFIX_FORMAT,
                settings.selfCheckEvery(),
                PromptTexts.SELF_CHECK,
                settings.maxTokensPerWorker(),
                settings.maxStepTokens(),
                PromptTexts.FINISHER,
                settings.finisherTokens(),
                true);
    }

    static SamplingSpec sampling(RunSettings settings) {
        return new SamplingSpec(settings.temperature(), settings.topP(), settings.topK(), settings.seed(), List.of());
    }
}
