package io.hogwild.gateway.resilience;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The orchestrator down: every call fails with a 503 problem and Retry-After as soon as its connection fails, and
 * after a few failures the circuit opens (calls stop going out). The orchestrator's own 429 (its queue is full) is
 * passed on with its Retry-After and does not open the circuit.
 */
@RealRedis
class OrchestratorOutageTest {

    /**
     * A dead orchestrator that still counts its callers: it accepts each connection and drops it at once, before any
     * answer.
     */
    static final class DroppingServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor = new Thread(this::dropAll, "dropping-orchestrator");

        DroppingServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void dropAll() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    // Counted before the close: the caller cannot have seen its failure yet.
                    connections.incrementAndGet();
                } catch (IOException e) {
                    // closed: done
                }
            }
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void orchestratorDownGives503sAndOpensTheCircuit() throws Exception {
        try (DroppingServer orchestrator = new DroppingServer()) {
            ConfigurableApplicationContext gateway = Stack.gateway(orchestrator.url(),
                    "hogwild.gateway.resilience.minimum-number-of-calls=4",
                    "hogwild.gateway.resilience.sliding-window-size=4",
                    "hogwild.gateway.resilience.wait-in-open-state=30s",
                    "hogwild.gateway.resilience.retry-wait=10ms");
            WebTestClient http = Http.client(gateway);
            // A GET (retried: three calls through the circuit breaker) and a POST (never repeated) fill the window
            // of four failed calls; from then on the circuit is open and nothing reaches the orchestrator.
            int before = orchestrator.connections();
            String first = unavailable(gateway,
                    http.get().uri("/v1/models").header("Authorization", bearer(Stack.ALICE_KEY)));
            assertThat(first).doesNotContain("in time").doesNotContain("circuit open");
            assertThat(orchestrator.connections() - before).as("connections of a retried GET").isGreaterThanOrEqualTo(3);
            before = orchestrator.connections();
            String second = unavailable(gateway, http.post().uri("/v1/runs")
                    .header("Authorization", bearer(Stack.ALICE_KEY))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("problem", "2+2")));
            assertThat(second).doesNotContain("in time").doesNotContain("circuit open");
            assertThat(orchestrator.connections() - before).as("connections of a POST").isPositive();

            int whenOpened = orchestrator.connections();
            for (int i = 0; i < 4; i++) {
                String refused = unavailable(gateway, i % 2 == 0
                        ? http.get().uri("/v1/models").header("Authorization", bearer(Stack.ALICE_KEY))
                        : http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("problem", "2+2")));
                assertThat(refused).contains("circuit open");
            }
            http.get().uri("/v1/models").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                    .expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "30");
            assertThat(orchestrator.connections()).as("calls that went out while the circuit was open")
                    .isEqualTo(whenOpened);
            http.get().uri("/actuator/prometheus").header("Authorization", bearer(Stack.ADMIN_KEY)).exchange()
                    .expectStatus().isOk().expectBody(String.class).value(metrics -> assertThat(metrics)
                            .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"orchestrator\"[^}]*"
                                    + "state=\"open\"[^}]*} 1")
                            .containsPattern("resilience4j_circuitbreaker_not_permitted_calls_total\\{[^}]*"
                                    + "name=\"orchestrator\"[^}]*} 5"));
            // Health does not depend on the orchestrator: the pod stays in the Service and answers its 503s.
            http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        }
    }

    /**
     * The gateway's own 503 for an unavailable orchestrator, with a Retry-After: a problem on the run API, OpenAI's
     * error object on /v1/models. Returns its detail.
     */
    @SuppressWarnings("unchecked")
    private static String unavailable(ConfigurableApplicationContext gateway,
                                      WebTestClient.RequestHeadersSpec<?> request) {
        EntityExchangeResult<byte[]> answer = request.exchange().expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After")
                .expectBody().returnResult();
        Map<String, Object> body = Http.map(Http.json(gateway), answer.getResponseBody());
        if (MediaType.APPLICATION_JSON.equals(answer.getResponseHeaders().getContentType())) {
            Map<String, Object> error = (Map<String, Object>) body.get("error");
            assertThat(error).containsEntry("code", "orchestrator_unavailable").containsEntry("type", "server_error");
            return (String) error.get("message");
        }
        assertThat(answer.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(body.get("title")).isEqualTo("Orchestrator unavailable");
        return (String) body.get("detail");
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
