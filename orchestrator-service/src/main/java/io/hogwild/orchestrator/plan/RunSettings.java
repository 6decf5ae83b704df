package io.hogwild.orchestrator.plan;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.orchestrator.config.OrchestratorProperties.Defaults;
import io.hogwild.orchestrator.prompt.WorkerNames;
import java.util.List;
import java.util.Objects;

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

    /**
     * Fills in defaults. {@code single} always has one worker; the caller has validated the request already.
     *
     * @param defaultSeed the seed when the request has none (recorded in the plan, so a run can be repeated)
     */
    public static RunSettings resolve(RunRequest request, Defaults defaults, long defaultSeed) {
        Layout layout = Objects.requireNonNullElse(request.layout(), defaults.layout());
        int workers = layout == Layout.SINGLE ? 1 : Objects.requireNonNullElse(request.workers(), defaults.workers());
        return new RunSettings(
                request.problem(),
                WorkerNames.first(workers),
                layout,
                Objects.requireNonNullElse(request.maxTokensPerWorker(), defaults.maxTokensPerWorker()),
                Objects.requireNonNullElse(request.maxStepTokens(), defaults.maxStepTokens()),
                Objects.requireNonNullElse(request.temperature(), defaults.temperature()),
                Objects.requireNonNullElse(request.topP(), defaults.topP()),
                Objects.requireNonNullElse(request.topK(), defaults.topK()),
                Objects.requireNonNullElse(request.seed(), defaultSeed),
                Objects.requireNonNullElse(request.selfCheckEvery(), defaults.selfCheckEvery()),
                Objects.requireNonNullElse(request.finisherTokens(), defaults.finisherTokens()),
                Objects.requireNonNullElse(request.fewShot(), defaults.fewShot()),
                Objects.requireNonNullElse(request.enableThinking(), defaults.enableThinking()));
    }
}
