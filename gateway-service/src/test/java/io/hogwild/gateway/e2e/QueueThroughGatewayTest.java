package io.hogwild.gateway.e2e;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway in front of the queue: a run is accepted as QUEUED with its place, under the caller's key name (never
 * the key) so that the orchestrator's queue is fair across keys; and a gateway given several orchestrator URLs goes
 * on through the next one when the first cannot be reached.
 */
@RealRedis
class QueueThroughGatewayTest {

    private static Map<String, Object> tinyRun() {
        return Map.of("problem", "What is 2+2?", "workers", 1, "layout", "single", "max_tokens_per_worker", 8,
                "temperature", 0, "finisher_tokens", 2);
    }

    @Test
    void runsAreQueuedUnderTheCallersKeyName() {
        ConfigurableApplicationContext gateway = Stack.gateway(Stack.orchestratorUrl());
        WebTestClient http = Http.client(gateway);
        byte[] body = http.post().uri("/v1/runs").header("Authorization", bearer(Stack.BOB_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(tinyRun())
                .exchange().expectStatus().isAccepted()
                .expectBody().jsonPath("$.status").isEqualTo("QUEUED")
                .jsonPath("$.queue_position").isNumber()
                .returnResult().getResponseBody();
        String id = (String) Http.map(Http.json(gateway), body).get("id");

        // The orchestrator's record (admin view) names the key, not its secret.
        byte[] admin = http.get().uri("/admin/runs/{id}", id).header("Authorization", bearer(Stack.ADMIN_KEY))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        String record = new String(admin, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(record).contains("\"client\":\"bob\"").doesNotContain(Stack.BOB_KEY);

        await().atMost(Duration.ofMinutes(1)).until(() -> "FINISHED".equals(Http.map(Http.json(gateway),
                http.get().uri("/v1/runs/{id}", id).header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                        .expectStatus().isOk().expectBody().returnResult().getResponseBody()).get("status")));
    }

    @Test
    void anUnreachableOrchestratorInTheListIsSkipped() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ConfigurableApplicationContext gateway = Stack.gateway(
                "http://127.0.0.1:" + closedPort + ", " + Stack.orchestratorUrl() + "/");
        WebTestClient http = Http.client(gateway);
        byte[] body = http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(tinyRun())
                .exchange().expectStatus().isAccepted().expectBody().returnResult().getResponseBody();
        String id = (String) Http.map(Http.json(gateway), body).get("id");
        http.get().uri("/v1/runs/{id}", id).header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(id);
        http.get().uri("/admin/queue").header("Authorization", bearer(Stack.ADMIN_KEY)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.max_depth").isNumber();
    }
}
