package io.hogwild.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.testing.redis.RealRedis;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

/**
 * Spring AI's OpenAI chat model (Spring AI 2.0, on the official openai-java SDK) behind a {@link ChatClient},
 * configured with nothing but the gateway's base URL, a key and the model's id, gets the demo answer: the same one
 * the run API gives for the same request, whole and streamed, with the usage.
 */
@RealRedis
class SpringAiChatClientTest {

    private static ChatClient chat;
    private static String expected;

    @BeforeAll
    static void start() {
        OpenAiChatModel model = OpenAiChatModel.builder().options(OpenAiChatOptions.builder()
                .baseUrl(DemoGateway.openAiBaseUrl())
                .apiKey(DemoGateway.USER_KEY)
                .model(DemoGateway.MODEL)
                .temperature(0.0)
                .maxTokens(256)
                .streamUsage(true)
                .build()).build();
        chat = ChatClient.create(model);
        expected = DemoGateway.runApiAnswer(256);
    }

    @Test
    void getsTheDemoAnswer() {
        ChatResponse response = chat.prompt().user(DemoGateway.DEMO_PROBLEM).call().chatResponse();
        assertThat(expected).isNotBlank();
        assertThat(response.getResult().getOutput().getText()).isEqualTo(expected);
        Usage usage = response.getMetadata().getUsage();
        assertThat(usage.getPromptTokens()).isPositive();
        assertThat(usage.getCompletionTokens()).isPositive();
        assertThat(usage.getTotalTokens()).isEqualTo(usage.getPromptTokens() + usage.getCompletionTokens());
    }

    @Test
    void streamsTheDemoAnswer() {
        List<ChatResponse> responses = chat.prompt().user(DemoGateway.DEMO_PROBLEM).stream().chatResponse()
                .collectList().block(DemoGateway.T);
        String content = responses.stream().filter(r -> r.getResult() != null)
                .map(r -> r.getResult().getOutput().getText()).filter(Objects::nonNull)
                .collect(Collectors.joining());
        assertThat(content).isEqualTo(expected);
        Usage usage = responses.get(responses.size() - 1).getMetadata().getUsage();
        assertThat(usage.getTotalTokens()).isPositive();
    }
}
