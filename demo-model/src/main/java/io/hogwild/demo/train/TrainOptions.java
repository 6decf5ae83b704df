package io.hogwild.demo.train;

import java.nio.file.Path;

/**
 * How to train the demo model; the defaults are what made the bundled checkpoint.
 *
 * @param batchTokens padded tokens per optimizer step (sequences of similar length are batched together)
 * @param checkpointEvery write the checkpoint every this many steps too, so a long run can be evaluated early
 */
public record TrainOptions(Path output, long seed, int steps, int batchTokens, double peakLearningRate,
                           int warmupSteps, double weightDecay, int checkpointEvery) {

    public static TrainOptions defaults(Path output) {
        return new TrainOptions(output, 20261126L, 5600, 4096, 1.5e-3, 150, 0.05, 400);
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
