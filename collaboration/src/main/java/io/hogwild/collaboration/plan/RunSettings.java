package io.hogwild.collaboration.plan;

import io.hogwild.contracts.Layout;
import java.util.List;

/** A run request with every default filled in: what the plan is built from. */
public record RunSettings(
        String problem,
        List<String> names,
        Layout layout,
        int maxTokensPerWorker,
        int maxStepTokens,
        double temperature,
        double topP,
        int topK,
        long seed,
        int selfCheckEvery,
        int finisherTokens,
        boolean fewShot,
        boolean enableThinking) {

    /** The same settings with another budget per worker (e.g. lowered to what fits the model's context). */
    public RunSettings withMaxTokensPerWorker(int budget) {
        return new RunSettings(problem, names, layout, budget, maxStepTokens, temperature, topP, topK, seed,
                selfCheckEvery, finisherTokens, fewShot, enableThinking);
    }
}
