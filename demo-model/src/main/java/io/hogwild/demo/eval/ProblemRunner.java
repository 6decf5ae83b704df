package io.hogwild.demo.eval;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.SessionFinished;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.PrefixCache;
import io.hogwild.lockstep.LockstepMetrics;
import io.hogwild.lockstep.ModelDescription;
import io.hogwild.lockstep.LockstepLoop;
import io.hogwild.lockstep.PlanValidator;
import io.hogwild.lockstep.SamplingTokenChooser;
import io.hogwild.lockstep.TokenChooser;
import io.hogwild.lockstep.SessionRun;
import io.hogwild.lockstep.ValidatedPlan;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a problem the way the platform does, in process: the orchestrator's prompt renderer and plan builder, the
 * GPU worker's plan validation and lockstep loop on the real engine, with the platform's default policy settings.
 */
public final class ProblemRunner implements AutoCloseable {

    /** An item counts as computed by a worker once the worker wrote its result. */
    private static final Pattern COMPUTED = Pattern.compile("([A-Z]): \\d[-+*]\\d=\\d");

    private final LanguageModel model;
    private final ModelInfo info;
    private final PromptRenderer renderer = new PromptRenderer();

    public ProblemRunner(java.nio.file.Path modelDir) {
        this.model = LanguageModel.load(modelDir);
        this.info = ModelDescription.describe(modelDir, modelDir.getFileName().toString(), model);
    }

    /** With the platform's default token budget per worker (1024). */
    public SolvedProblem solve(ItemProblem problem, Layout layout, int workers, double temperature, long seed) {
        return solve(problem, layout, workers, temperature, seed, 1024);
    }

    /**
     * @param temperature 0 decodes greedily
     * @param maxTokensPerWorker each worker's budget; a worker that spends it is asked for its answer
     */
    public SolvedProblem solve(ItemProblem problem, Layout layout, int workers, double temperature, long seed,
                               int maxTokensPerWorker) {
        List<String> names = WorkerNames.first(workers);
        String prompt = renderer.render(info, problem.text(), names, layout, false, false);
        RunSettings settings = new RunSettings(problem.text(), names, layout, maxTokensPerWorker, 512, temperature,
                0.95, 20, seed,
                1024, 16, false, false);
        SessionRun run = runLoop(model, prompt, settings, SamplingTokenChooser::create);

        Map<String, StringBuilder> texts = new LinkedHashMap<>();
        names.forEach(n -> texts.put(n, new StringBuilder()));
        String answer = null;
        long steps = 0;
        for (SessionEvent e : run.events().snapshot()) {
            if (e.data() instanceof StepStarted started) {
                texts.get(started.worker()).append(started.prefix());
            } else if (e.data() instanceof Tokens tokens) {
                texts.get(tokens.worker()).append(tokens.text());
            } else if (e.data() instanceof FinalAnswer written) {
                answer = written.answer();
            } else if (e.data() instanceof SessionFinished finished) {
                steps = finished.lockstepPasses();
            }
        }
        Map<String, Set<Character>> computed = new LinkedHashMap<>();
        Map<String, String> transcripts = new LinkedHashMap<>();
        texts.forEach((name, text) -> {
            Set<Character> items = new LinkedHashSet<>();
            Matcher m = COMPUTED.matcher(text);
            while (m.find()) {
                items.add(m.group(1).charAt(0));
            }
            computed.put(name, items);
            transcripts.put(name, text.toString());
        });
        return new SolvedProblem(problem.answer(), answer, steps, computed, transcripts);
    }

    /**
     * One session through the platform's plan builder, the GPU worker's plan validation and its lockstep loop, with
     * tokens picked by {@code choosers}; returns the finished run (its events).
     */
    public static SessionRun runLoop(LanguageModel model, String prompt, RunSettings settings,
                                     TokenChooser.Factory choosers) {
        LockstepLoop loop = newLoop(model, "demo-" + settings.seed(), prompt, settings, choosers, null);
        loop.run();
        return loop.sessionRun();
    }

    /**
     * A session, not yet started, planned by the platform's plan builder and validated as the GPU worker does;
     * {@code prefixes} (may be null) shares prompt prefixes with other sessions as the worker's cache does.
     */
    public static LockstepLoop newLoop(LanguageModel model, String sessionId, String prompt, RunSettings settings,
                                       TokenChooser.Factory choosers, PrefixCache prefixes) {
        SessionPlan plan = new PlanBuilder().build("demo", sessionId, prompt, settings);
        ValidatedPlan validated = new PlanValidator(model).validate(plan);
        SessionRun run = new SessionRun(plan, sessionId, Integer.MAX_VALUE, 0, () -> { });
        return new LockstepLoop(validated, model, choosers, run, LockstepMetrics.NONE, prefixes);
    }

    @Override
    public void close() {
        model.close();
    }
}
