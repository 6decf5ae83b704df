package io.hogwild.gateway.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.run.RunStatus;
import java.util.List;

/**
 * OpenAI's {@code chat.completion} and {@code chat.completion.chunk} objects. The workers' collaboration is
 * {@code reasoning_content} (the field reasoning models use), the final answer {@code content}; {@code hogwild}
 * carries the run behind it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage,
        Hogwild hogwild) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Choice(int index, Message message, Message delta,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String role, String content, String reasoningContent) {}

    public record Usage(int promptTokens, int completionTokens, int totalTokens) {}

    /**
     * The run: on a completion its id and outcome (with every distinct answer the workers gave and whether they
     * disagree); on a reasoning chunk, whose text it is ({@code worker}, {@code step}) and the event's id in the run's
     * log.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hogwild(String runId, RunStatus status, Layout layout, List<String> workers, String finishReason,
                          String failureReason, List<AnswerGiven> answers, Boolean answersDisagree, String worker,
                          Integer step, String eventId) {

        static Hogwild of(String runId, String worker, Integer step, String eventId) {
            return new Hogwild(runId, null, null, null, null, null, null, null, worker, step, eventId);
        }
    }
}
