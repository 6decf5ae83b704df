package io.hogwild.collaboration.plan;

import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.TextSpan;
import io.hogwild.contracts.worker.WorkerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a rendered prompt and the run settings into the GPU worker's session plan: which cache blocks exist, what each
 * worker reads (its view, own step block last) and where its finished steps go. The views per layout are listed in
 * collaboration/README.md ("Views").
 *
 * <p>Blocks are listed with the fixed ones first, in the order a view reads them: the GPU worker prefills each fixed
 * block in the context of the fixed blocks listed before it, so the headers are computed as they are read. A view
 * lists a block once, so every worker has a marker block of its own that follows its step block in the others' views.
 */
public class PlanBuilder {

    public static final String PROMPT = "prompt";
    public static final String HISTORY_HEADER = "history-header";
    public static final String HISTORY = "history";
    public static final String OTHERS_HEADER = "others-header";
    public static final String OWN_HEADER = "own-header";

    /**
     * Whether a block's fixed text is prefilled on its own (a view of just that block) rather than in the context of
     * the prompt blocks before it. Headers and markers are: their keys then depend on nothing but their own text, as
     * in the paper's implementation, so they are the same in every session of a model and can be computed once and
     * shared. The prompt is prefilled in the context of the prompt blocks before it, as one causal sequence.
     */
    public static boolean prefilledAlone(BlockRole role) {
        return role == BlockRole.HEADER || role == BlockRole.UNFINISHED_MARKER;
    }

    public static String stepBlock(String worker) {
        return "step-" + worker.toLowerCase(Locale.ROOT);
    }

    public static String markerBlock(String worker) {
        return "marker-" + worker.toLowerCase(Locale.ROOT);
    }

    public static String historyBlock(String worker) {
        return "history-" + worker.toLowerCase(Locale.ROOT);
    }

    public SessionPlan build(String runId, String sessionId, String renderedPrompt, RunSettings settings) {
        return build(runId, sessionId, renderedPrompt, List.of(), settings);
    }

    /**
     * The plan, with {@code callerText} the ranges of the rendered prompt that came from the caller (see
     * {@link PromptTexts#problemSpan}): the GPU worker tokenizes them as plain text.
     */
    public SessionPlan build(String runId, String sessionId, String renderedPrompt, List<TextSpan> callerText,
                             RunSettings settings) {
        List<String> names = settings.names();
        Layout layout = settings.layout();
        boolean othersShown = names.size() > 1 && (layout == Layout.COMBINED || layout == Layout.CONTIGUOUS);
        boolean hasHistory = layout != Layout.CONTIGUOUS;
        boolean contiguous = layout == Layout.CONTIGUOUS;

        List<BlockSpec> blocks = new ArrayList<>();
        blocks.add(new BlockSpec(PROMPT, BlockRole.PROMPT, renderedPrompt, null, callerText));
        if (hasHistory) {
            blocks.add(new BlockSpec(HISTORY_HEADER, BlockRole.HEADER, PromptTexts.HISTORY_HEADER, null));
        }
        if (othersShown) {
            blocks.add(new BlockSpec(OTHERS_HEADER, BlockRole.HEADER,
                    contiguous ? PromptTexts.CONTIGUOUS_OTHERS_HEADER : PromptTexts.OTHERS_HEADER, null));
            names.forEach(name -> blocks.add(new BlockSpec(markerBlock(name), BlockRole.UNFINISHED_MARKER,
                    PromptTexts.UNFINISHED_MARKER, null)));
        }
        blocks.add(new BlockSpec(OWN_HEADER, BlockRole.HEADER,
                contiguous ? PromptTexts.CONTIGUOUS_OWN_HEADER : PromptTexts.OWN_HEADER, null));
        if (layout == Layout.INDEPENDENT) {
            names.forEach(name -> blocks.add(new BlockSpec(historyBlock(name), BlockRole.HISTORY, null, null)));
        } else if (hasHistory) {
            blocks.add(new BlockSpec(HISTORY, BlockRole.HISTORY, null, null));
        }
        names.forEach(name -> blocks.add(new BlockSpec(stepBlock(name), BlockRole.WORKER_STEP, null, null)));

        List<WorkerSpec> workers = new ArrayList<>();
        for (String name : names) {
            String history = !hasHistory ? null : layout == Layout.INDEPENDENT ? historyBlock(name) : HISTORY;
            List<String> view = new ArrayList<>();
            view.add(PROMPT);
            if (history != null) {
                view.add(HISTORY_HEADER);
                view.add(history);
            }
            if (othersShown) {
                view.add(OTHERS_HEADER);
                for (String other : names) {
                    if (!other.equals(name)) {
                        view.add(stepBlock(other));
                        view.add(markerBlock(other));
                    }
                }
            }
            // The worker's own block is last: it is the block it writes, so its next token follows its own text.
            view.add(OWN_HEADER);
            view.add(stepBlock(name));
            workers.add(new WorkerSpec(name, List.copyOf(view), history));
        }
        return new SessionPlan(sessionId, runId, layout, List.copyOf(blocks), List.copyOf(workers),
                policy(settings), sampling(settings), null);
    }

    static CollaborationPolicy policy(RunSettings settings) {
        return new CollaborationPolicy(
                PromptTexts.STEP_PREFIX_FORMAT,
                PromptTexts.OPENING_FORMAT,
                settings.selfCheckEvery(),
                PromptTexts.SELF_CHECK,
                settings.maxTokensPerWorker(),
                settings.maxStepTokens(),
                PromptTexts.FINISHER,
                settings.finisherTokens(),
                true,
                PromptTexts.HISTORY_HEADER,
                PromptTexts.UNFINISHED_HEADER,
                PromptTexts.UNFINISHED_MARKER);
    }

    static SamplingSpec sampling(RunSettings settings) {
        return new SamplingSpec(settings.temperature(), settings.topP(), settings.topK(), settings.seed(), List.of());
    }
}
