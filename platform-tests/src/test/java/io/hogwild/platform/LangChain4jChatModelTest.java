package io.hogwild.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.hogwild.testing.redis.RealRedis;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's {@code OpenAiChatModel} and {@code OpenAiStreamingChatModel}, configured with nothing but the
 * gateway's base URL, a key and the model's id, get the demo answer: the same one the run API gives for the same
 * request.
 */
@RealRedis
class LangChain4jChatModelTest {

    private static String expected;

    @BeforeAll
    static void start() {
        expected = DemoGateway.runApiAnswer(256);
    }

    @Test
    void getsTheDemoAnswer() {
        OpenAiChatModel model = OpenAiChatModel.builder()
                .baseUrl(DemoGateway.openAiBaseUrl())
                .apiKey(DemoGateway.USER_KEY)
                .modelName(DemoGateway.MODEL)
                .temperature(0.0)
                .maxTokens(256)
                .timeout(DemoGateway.T)
                .build();
        ChatResponse response = model.chat(UserMessage.from(DemoGateway.DEMO_PROBLEM));
        assertThat(expected).isNotBlank();
        assertThat(response.aiMessage().text()).isEqualTo(expected);
        assertThat(response.tokenUsage().inputTokenCount()).isPositive();
        assertThat(response.tokenUsage().outputTokenCount()).isPositive();
        assertThat(model.chat(DemoGateway.DEMO_PROBLEM)).isEqualTo(expected);
    }

    @Test
    void streamsTheDemoAnswer() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(DemoGateway.openAiBaseUrl())
                .apiKey(DemoGateway.USER_KEY)
                .modelName(DemoGateway.MODEL)
                .temperature(0.0)
                .maxTokens(256)
                .timeout(DemoGateway.T)
                .build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(DemoGateway.DEMO_PROBLEM, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(DemoGateway.T.toSeconds(), TimeUnit.SECONDS);
        assertThat(partial.toString()).isEqualTo(expected);
        assertThat(response.aiMessage().text()).isEqualTo(expected);
    }
}
