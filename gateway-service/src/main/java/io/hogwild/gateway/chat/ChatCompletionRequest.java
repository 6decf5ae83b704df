package io.hogwild.gateway.chat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.hogwild.contracts.Layout;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * OpenAI's chat completion request, the part of it that maps onto a run. Other fields OpenAI clients send
 * ({@code user}, {@code logprobs: false}, {@code store}, ...) are accepted and ignored, as OpenAI-compatible servers
 * do; the {@code hogwild} extension, ours alone, refuses fields it does not know.
 *
 * @param model a model id from {@code /v1/models}; absent or {@code hogwild} = whatever model a GPU worker serves
 * @param messages the conversation; the last user message is the problem, system/developer messages its context
 * @param maxTokens each worker's token budget ({@code max_tokens_per_worker} of a run)
 * @param maxCompletionTokens OpenAI's newer name for {@code max_tokens}; {@code max_tokens} wins when both are set
 * @param temperature sampling temperature (0 = greedy)
 * @param topP nucleus mass in (0, 1]
 * @param seed base seed of the workers' samplers
 * @param stream answer as {@code chat.completion.chunk} server-sent events
 * @param streamOptions {@code include_usage}: a last chunk with the usage (and no choices) before {@code [DONE]}
 * @param n choices to generate: a run has one answer, so only 1 is accepted
 * @param hogwild the Hogwild! options of the run
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
        @Size(max = 200) String model,
        @NotEmpty @Size(max = 256) List<@NotNull @Valid Message> messages,
        @Min(1) @Max(65_536) Integer maxTokens,
        @Min(1) @Max(65_536) Integer maxCompletionTokens,
        @DecimalMin("0.0") @DecimalMax("5.0") Double temperature,
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") Double topP,
        Long seed,
        Boolean stream,
        StreamOptions streamOptions,
        Integer n,
        @Valid HogwildOptions hogwild) {

    /** OpenAI's {@code stream_options}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamOptions(Boolean includeUsage) {}

    /**
     * One message. {@code content} is a string or a list of parts of which only {@code {"type": "text"}} ones are
     * supported.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(
            @NotBlank @Pattern(regexp = "system|developer|user|assistant|tool",
                    message = "must be one of system, developer, user, assistant, tool") String role,
            Object content,
            String name) {}

    /**
     * The extension field {@code hogwild}: how the run is set up.
     *
     * @param workers how many workers collaborate (1..8)
     * @param layout contiguous, interleaved, combined (default), independent or single
     * @param maxStepTokens a step longer than this ends anyway
     * @param selfCheckEvery insert the self-check question every this many tokens of all workers (0 = never)
     * @param finisherTokens greedy tokens after the finisher prompt
     * @param topK 0 = no limit
     * @param fewShot include worked examples of collaboration in the prompt
     * @param enableThinking passed to the chat template
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record HogwildOptions(
            @Min(1) @Max(8) Integer workers,
            Layout layout,
            @Min(1) @Max(8_192) Integer maxStepTokens,
            @Min(0) @Max(65_536) Integer selfCheckEvery,
            @Min(0) @Max(1_024) Integer finisherTokens,
            @Min(0) @Max(100_000) Integer topK,
            Boolean fewShot,
            Boolean enableThinking) {}
}
