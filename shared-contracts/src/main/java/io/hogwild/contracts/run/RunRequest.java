package io.hogwild.contracts.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.hogwild.contracts.Layout;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * A request to solve one problem with a team of workers. Every field but {@code problem} is optional; the
 * orchestrator fills in its configured defaults. A field the services do not know is refused (400 naming it) rather
 * than ignored: a misspelt {@code wrkers} must not silently run with the default worker count.
 *
 * @param problem the task, in natural language
 * @param workers how many workers collaborate (1..8; {@code single} needs 1)
 * @param layout how they share the cache: {@code contiguous}, {@code interleaved}, {@code combined} (default),
 *     {@code independent} or {@code single}
 * @param maxTokensPerWorker each worker's token budget before the finisher (default: the configured one, lowered to
 *     what fits the model's context with the prompt and the chosen workers)
 * @param maxStepTokens a step longer than this ends anyway
 * @param temperature sampling temperature, 0 = greedy
 * @param topP nucleus mass in (0, 1]
 * @param topK 0 = no limit
 * @param seed base seed (worker i samples with {@code seed + i})
 * @param selfCheckEvery insert the self-check question every this many tokens of all workers together (0 = never)
 * @param finisherTokens greedy tokens after the finisher
 * @param fewShot include worked examples of collaboration in the prompt
 * @param enableThinking passed to the chat template (Qwen3: {@code false} adds an empty think block)
 * @param model the model to run on (default: whatever the chosen GPU worker serves)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RunRequest(
        @NotBlank @Size(max = 200_000) String problem,
        @Min(1) @Max(8) Integer workers,
        Layout layout,
        @Min(1) @Max(65_536) Integer maxTokensPerWorker,
        @Min(1) @Max(8_192) Integer maxStepTokens,
        @DecimalMin("0.0") @DecimalMax("5.0") Double temperature,
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") Double topP,
        @Min(0) @Max(100_000) Integer topK,
        Long seed,
        @Min(0) @Max(65_536) Integer selfCheckEvery,
        @Min(0) @Max(1_024) Integer finisherTokens,
        Boolean fewShot,
        Boolean enableThinking,
        @Size(max = 200) String model) {

    /** A request with only the problem set. */
    public static RunRequest of(String problem) {
        return new RunRequest(problem, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
