package io.hogwild.demo.train;

import io.hogwild.demo.traces.TraceGenerator;
import java.nio.file.Path;
import java.util.List;

/**
 * How to train the demo model; the defaults are what made the bundled checkpoint.
 *
 * @param batchTokens padded tokens per optimizer step (sequences of similar length are batched together)
 * @param checkpointEvery write the checkpoint every this many steps too, so a long run can be evaluated early
 * @param init a checkpoint of the same shape to start from instead of random weights (null: from scratch)
 * @param workerWeights relative frequency of runs with 1, 2, ..., 8 workers in the traces
 */
public record TrainOptions(Path output, long seed, int steps, int batchTokens, double peakLearningRate,
                           int warmupSteps, double weightDecay, int checkpointEvery, Path init,
                           List<Integer> workerWeights) {

    public TrainOptions {
        workerWeights = List.copyOf(workerWeights);
        TraceGenerator.checkedWeights(workerWeights);
    }

    /** From scratch. */
    public static TrainOptions defaults(Path output) {
        return new TrainOptions(output, 20261126L, 5600, 4096, 1.5e-3, 150, 0.05, 400, null,
                TraceGenerator.DEFAULT_WORKER_WEIGHTS);
    }

    /**
     * From a trained checkpoint ({@code init}): the format changes (new sections, more workers, layouts) are learned
     * on top of what it knows (reading items, computing, looking results up), with a shorter, lower schedule.
     */
    public static TrainOptions continuing(Path output, Path init) {
        return new TrainOptions(output, 20261201L, 1200, 4096, 6e-4, 30, 0.05, 100, init,
                TraceGenerator.DEFAULT_WORKER_WEIGHTS);
    }

    /** Linear warm-up, then cosine decay to a tenth of the peak. */
    public double learningRate(int step) {
        if (step < warmupSteps) {
            return peakLearningRate * (step + 1) / warmupSteps;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
        return peakLearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }
}
