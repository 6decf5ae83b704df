package io.hogwild.gateway.resilience;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The orchestrator down: every call fails fast with a 503 problem and Retry-After, and after a few failures the
 * circuit opens (calls stop going out). The orchestrator's own 429 (its queue is full) is passed on with its
 * Retry-After and does not open the circuit.
 */
@RealRedis
class OrchestratorOutageTest {

    @Test
    void orchestratorDownGivesFast503sAndOpensTheCircuit() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ConfigurableApplicationContext gateway = Stack.gateway("http://127.0.0.1:" + closedPort,
                "hogwild.gateway.resilience.minimum-number-of-calls=4",
                "hogwild.gateway.resilience.sliding-window-size=4",
                "hogwild.gateway.resilience.wait-in-open-state=30s",
                "hogwild.gateway.resilience.retry-wait=10ms");
        WebTestClient http = Http.client(gateway);
        String lastDetail = null;
        for (int i = 0; i < 6; i++) {
            long start = System.nanoTime();
            WebTestClient.ResponseSpec response = i % 2 == 0
                    ? http.get().uri("/v1/models").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                    : http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("problem", "2+2")).exchange();
            byte[] body = response.expectStatus().isEqualTo(503)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().exists("Retry-After")
                    .expectBody().returnResult().getResponseBody();
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (i > 0) {
                // The first request also pays for the gateway's warm-up (class loading, the first connection).
                assertThat(millis).as("call %d answered fast", i).isLessThan(1500);
            }
            Map<String, Object> problem = Http.map(Http.json(gateway), body);
            assertThat(problem.get("title")).isEqualTo("Orchestrator unavailable");
            lastDetail = (String) problem.get("detail");
        }
        assertThat(lastDetail).contains("circuit open");
        long start = System.nanoTime();
        http.get().uri("/v1/models").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                .expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "30");
        assertThat((System.nanoTime() - start) / 1_000_000).as("refused at once while open").isLessThan(500);
        http.get().uri("/actuator/prometheus").header("Authorization", bearer(Stack.ADMIN_KEY)).exchange()
                .expectStatus().isOk().expectBody(String.class).value(metrics -> assertThat(metrics).containsPattern(
                        "resilience4j_circuitbreaker_state\\{[^}]*name=\"orchestrator\"[^}]*state=\"open\"[^}]*} 1"));
        // Health does not depend on the orchestrator: the pod stays in the Service and answers 503s fast.
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }

    @Test
    void theOrchestratorsQueueFull429IsPassedOnWithItsRetryAfter() {
        ConfigurableApplicationContext fullQueue = Stack.orchestratorWithFullQueue();
        ConfigurableApplicationContext gateway = Stack.gateway(
                "http://127.0.0.1:" + Stack.port(fullQueue),
                "hogwild.gateway.resilience.minimum-number-of-calls=2",
                "hogwild.gateway.resilience.sliding-window-size=2");
        WebTestClient http = Http.client(gateway);
        for (int i = 0; i < 4; i++) {
            byte[] body = http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("problem", "2+2")).exchange()
                    .expectStatus().isEqualTo(429)
                    .expectHeader().valueEquals("Retry-After", "7")
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().returnResult().getResponseBody();
            Map<String, Object> problem = Http.map(Http.json(gateway), body);
            // The orchestrator's own problem, not one the gateway made up.
            assertThat(problem.get("type")).isEqualTo("urn:hogwild:problem:queue-full");
            assertThat((String) problem.get("detail")).contains("queue");
            assertThat(problem.get("retry_after_seconds")).isEqualTo(7);
            assertThat(problem.get("max_queue_depth")).isEqualTo(0);
        }
        // Healthy answers: the circuit stayed closed and calls still go through.
        http.get().uri("/v1/models").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.object").isEqualTo("list");
    }
}
