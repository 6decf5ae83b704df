package io.hogwild.demo.traces;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * An endless, seeded stream of training examples: scripted runs of training-split problems with 1 to 8 workers, the multi-worker ones mostly in the combined layout (the default, and what collaboration needs) and
 * the rest in the interleaved, contiguous and independent ones (so the model knows every layout's view), each prompt
 * rendered by the orchestrator's own renderer through the model's chat template.
 */
public final class TraceGenerator {

    /**
     * Default relative frequency of each worker count (index 0: one worker): every count from 1 to 8, more of those
     * the eval reports (1, 2, 4, 8).
     */
    public static final List<Integer> DEFAULT_WORKER_WEIGHTS = List.of(3, 4, 2, 4, 2, 2, 2, 4);
    /** Independent runs are played with this many workers at most (see {@link #names}). */
    static final int MAX_INDEPENDENT_WORKERS = 3;
    /** Shares of the multi-worker runs not in the combined layout. */
    static final double INTERLEAVED_SHARE = 0.12;
    static final double CONTIGUOUS_SHARE = 0.12;
    static final double INDEPENDENT_SHARE = 0.10;
    static final double MISTAKE_RATE = 0.04;

    private final Random random;
    private final ProblemGenerator problems;
    private final PromptRenderer renderer = new PromptRenderer();
    private final ModelInfo model;
    private final Tokenizer tokenizer;
    /** Relative frequency of each worker count, index 0 for one worker. */
    private final int[] workerWeights;

    public TraceGenerator(long seed, ModelInfo model, Tokenizer tokenizer) {
        this(seed, model, tokenizer, DEFAULT_WORKER_WEIGHTS);
    }

    /** With {@code workerWeights}: one non-negative weight per worker count from 1 to 8, not all zero. */
    public TraceGenerator(long seed, ModelInfo model, Tokenizer tokenizer, List<Integer> workerWeights) {
        this.workerWeights = checkedWeights(workerWeights);
        this.random = new Random(seed);
        this.problems = new ProblemGenerator(seed * 31 + 7, ProblemGenerator.Split.TRAIN);
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** One more scripted run, as a training example. */
    public CacheTrace nextRun() {
        return CacheTrace.of(simulate(problems.next()), tokenizer);
    }

    /** The weights as an array, after checking them: 8 of them, none negative, some positive. */
    public static int[] checkedWeights(List<Integer> weights) {
        if (weights.size() != WorkerNames.ALL.size()) {
            throw new IllegalArgumentException("worker weights: one per worker count from 1 to "
                    + WorkerNames.ALL.size() + ", got " + weights.size());
        }
        if (weights.stream().anyMatch(w -> w < 0) || weights.stream().mapToInt(Integer::intValue).sum() == 0) {
            throw new IllegalArgumentException("worker weights: none negative and not all zero, got " + weights);
        }
        return weights.stream().mapToInt(Integer::intValue).toArray();
    }

    private int workerCount(int draw) {
        int count = 0;
        while (draw >= workerWeights[count]) {
            draw -= workerWeights[count++];
        }
        return count + 1;
    }

    /**
     * The platform names the first {@code workers} workers. An independent worker's view holds nothing of the others
     * (and the demo prompt names nobody), so it is the same in a run of two as in a run of eight: independent runs
     * take two or three of the eight names at random, which shows every name's view at a fraction of the length of
     * an eight-worker run, where every worker repeats every item.
     */
    private List<String> names(Layout layout, int workers) {
        if (layout != Layout.INDEPENDENT) {
            return WorkerNames.first(workers);
        }
        List<String> all = new ArrayList<>(WorkerNames.ALL);
        Collections.shuffle(all, random);
        List<String> picked = all.subList(0, Math.min(workers, MAX_INDEPENDENT_WORKERS));
        return WorkerNames.ALL.stream().filter(picked::contains).toList();
    }

    private static Layout layout(double draw) {
        if (draw < INTERLEAVED_SHARE) {
            return Layout.INTERLEAVED;
        }
        if (draw < INTERLEAVED_SHARE + CONTIGUOUS_SHARE) {
            return Layout.CONTIGUOUS;
        }
        return draw < INTERLEAVED_SHARE + CONTIGUOUS_SHARE + INDEPENDENT_SHARE ? Layout.INDEPENDENT : Layout.COMBINED;
    }

    LockstepSimulator.Run simulate(ItemProblem problem) {
        int workers = workerCount(random.nextInt(IntStream.of(workerWeights).sum()));
        Layout layout = workers == 1 ? Layout.COMBINED : layout(random.nextDouble());
        List<String> names = names(layout, workers);
        String prompt = renderer.render(model, problem.text(), names, layout, false, false);
        var settings = new LockstepSimulator.Settings(layout, names, MISTAKE_RATE);
        return new LockstepSimulator(settings, problem, prompt, random).run();
    }
}
