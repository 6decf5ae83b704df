package io.hogwild.demo.traces;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.List;
import java.util.Random;

/**
 * An endless, seeded stream of training examples: scripted runs of training-split problems with 1 to 4 workers,
 * mostly in the combined layout (what collaboration needs) and some in the independent one (so the model also knows
 * the baseline's view), each prompt rendered by the orchestrator's own renderer through the model's chat template.
 */
public final class TraceGenerator {

    static final double INDEPENDENT_SHARE = 0.12;
    static final double MISTAKE_RATE = 0.04;

    private final Random random;
    private final ProblemGenerator problems;
    private final PromptRenderer renderer = new PromptRenderer();
    private final ModelInfo model;
    private final Tokenizer tokenizer;

    public TraceGenerator(long seed, ModelInfo model, Tokenizer tokenizer) {
        this.random = new Random(seed);
        this.problems = new ProblemGenerator(seed * 31 + 7, ProblemGenerator.Split.TRAIN);
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** One more scripted run, as a training example. */
    public CacheTrace nextRun() {
        return CacheTrace.of(simulate(problems.next()), tokenizer);
    }

    LockstepSimulator.Run simulate(ItemProblem problem) {
        int workers = 1 + random.nextInt(4);
        Layout layout = workers > 1 && random.nextDouble() < INDEPENDENT_SHARE ? Layout.INDEPENDENT : Layout.COMBINED;
        List<String> names = WorkerNames.first(workers);
        String prompt = renderer.render(model, problem.text(), names, layout, false, false);
        var settings = new LockstepSimulator.Settings(layout, names, MISTAKE_RATE);
        return new LockstepSimulator(settings, problem, prompt, random).run();
    }
}
