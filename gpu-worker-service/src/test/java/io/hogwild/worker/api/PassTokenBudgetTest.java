package io.hogwild.worker.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Admission by the per-pass token budget: every running session keeps one decode token per worker in each joint
 * pass, and one prefill chunk (256 tokens) must still fit beside them. With a budget of 259 there is room for three
 * decode tokens: a two-worker session fits, a second one does not (503, Retry-After, the budget named), and it fits
 * again once the first has ended. Slots and cache bytes are plentiful here, so only the budget can refuse.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hogwild.model.path=../hogwild-engine/src/test/resources/golden/qwen3-tiny",
        "hogwild.worker.max-sessions=8",
        "hogwild.worker.pass-token-budget=259",
        "hogwild.worker.cache-budget=512MB",
        "spring.data.redis.url=redis://127.0.0.1:1",
        "hogwild.internal.token=" + WorkerApiTest.TOKEN})
@AutoConfigureWebTestClient(timeout = "PT60S")
@Import(WorkerApiTest.AsTheOrchestrator.class)
class PassTokenBudgetTest {

    @Autowired
    WebTestClient client;

    @Autowired
    JsonMapper json;

    WebTestClient.ResponseSpec post(SessionPlan plan) {
        return client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.writeValueAsString(plan)).exchange();
    }

    void cancelAndDrain(SessionPlan plan) {
        client.post().uri("/v1/sessions/" + plan.sessionId() + "/cancel").exchange().expectStatus().isAccepted();
        List<SessionEvent> events = client.get().uri("/v1/sessions/" + plan.sessionId() + "/events")
                .accept(MediaType.APPLICATION_NDJSON).exchange().expectStatus().isOk()
                .returnResult(SessionEvent.class).getResponseBody().collectList().block(Duration.ofSeconds(60));
        assertThat(events).isNotEmpty();
    }

    @Test
    void aSessionWhoseDecodeTokensDoNotFitThePassBudgetIsRefusedUntilRoomIsBack() {
        SessionPlan first = WorkerApiTest.longPlan("budget-a-" + UUID.randomUUID(), 2);
        SessionPlan second = WorkerApiTest.longPlan("budget-b-" + UUID.randomUUID(), 2);
        post(first).expectStatus().isCreated();
        try {
            JsonNode capacity = json.readTree(client.get().uri("/v1/model").exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody()).path("capacity");
            assertThat(capacity.path("pass_token_budget").asInt()).isEqualTo(259);
            assertThat(capacity.path("decode_tokens_reserved").asInt()).isEqualTo(2);

            WebTestClient.ResponseSpec refused = post(second);
            refused.expectHeader().exists(HttpHeaders.RETRY_AFTER);
            byte[] body = refused.expectStatus().isEqualTo(503)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().returnResult().getResponseBody();
            JsonNode problem = json.readTree(body);
            assertThat(problem.path("detail").asString()).contains("pass token budget of 259");
            assertThat(problem.path("pass_token_budget").asInt()).isEqualTo(259);
            assertThat(problem.path("active_sessions").asInt()).isEqualTo(1);
            assertThat(problem.toString()).doesNotContain("\tat ", "Exception:");

            String metrics = client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(metrics).contains("hogwild_worker_sessions_rejected_total{reason=\"pass-tokens\"}");
        } finally {
            cancelAndDrain(first);
        }
        // the first session's tokens are released with it: the same plan is admitted now
        post(second).expectStatus().isCreated();
        cancelAndDrain(second);
    }
}
