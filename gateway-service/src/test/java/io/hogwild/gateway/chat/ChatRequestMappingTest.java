package io.hogwild.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.web.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an OpenAI chat request becomes a run request. */
class ChatRequestMappingTest {

    private static ChatCompletionRequest.Message m(String role, Object content) {
        return new ChatCompletionRequest.Message(role, content, null);
    }

    @Test
    void lastUserMessageIsTheProblemWithSystemMessagesAsContext() {
        ChatCompletionRequest request = new ChatCompletionRequest("hogwild", List.of(
                m("system", "Be brief."), m("user", "first question"), m("assistant", "an answer"),
                m("developer", List.of(Map.of("type", "text", "text", "Use \\boxed{}."))),
                m("user", List.of(Map.of("type", "text", "text", "What is"), Map.of("type", "text", "text", "2+2?")))),
                100, 50, 0.3, 0.9, 5L, false, null, 1,
                new ChatCompletionRequest.HogwildOptions(3, Layout.INTERLEAVED, 16, 0, 8, 40, true, false));
        RunRequest run = ChatCompletionService.toRunRequest(request);
        assertThat(run.problem()).isEqualTo("Be brief.\n\nUse \\boxed{}.\n\nWhat is\n2+2?");
        assertThat(run.workers()).isEqualTo(3);
        assertThat(run.layout()).isEqualTo(Layout.INTERLEAVED);
        assertThat(run.maxTokensPerWorker()).as("max_tokens wins over max_completion_tokens").isEqualTo(100);
        assertThat(run.temperature()).isEqualTo(0.3);
        assertThat(run.topP()).isEqualTo(0.9);
        assertThat(run.seed()).isEqualTo(5L);
        assertThat(run.maxStepTokens()).isEqualTo(16);
        assertThat(run.selfCheckEvery()).isZero();
        assertThat(run.finisherTokens()).isEqualTo(8);
        assertThat(run.topK()).isEqualTo(40);
        assertThat(run.fewShot()).isTrue();
        assertThat(run.enableThinking()).isFalse();
        assertThat(run.model()).as("'hogwild' means any model").isNull();
    }

    @Test
    void withoutOptionsTheOrchestratorDefaultsApply() {
        RunRequest run = ChatCompletionService.toRunRequest(new ChatCompletionRequest("qwen3-tiny",
                List.of(m("user", "2+2?")), null, 64, null, null, null, null, null, null, null));
        assertThat(run).isEqualTo(new RunRequest("2+2?", null, null, 64, null, null, null, null, null, null, null,
                null, null, "qwen3-tiny"));
    }

    @Test
    void aConversationWithoutAUserMessageNamesMessages() {
        assertThatThrownBy(() -> ChatCompletionService.toRunRequest(new ChatCompletionRequest(null,
                List.of(m("system", "context only")), null, null, null, null, null, null, null, null, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo("messages");
                });
    }

    @Test
    void moreThanOneChoiceNamesN() {
        assertThatThrownBy(() -> ChatCompletionService.toRunRequest(new ChatCompletionRequest(null,
                List.of(m("user", "2+2?")), null, null, null, null, null, null, null, 2, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo("n");
                    assertThat(e.getMessage()).startsWith("n: ").contains("only n = 1");
                });
    }
}
