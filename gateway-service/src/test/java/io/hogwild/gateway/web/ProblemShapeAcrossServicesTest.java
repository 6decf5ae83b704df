package io.hogwild.gateway.web;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RealRedis;
import io.hogwild.web.ServiceJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.core.type.TypeReference;

/**
 * The three services answer the same client mistakes with problems of one shape: the same malformed JSON, a value of
 * the wrong type and a body missing a required field, sent to each one's main POST endpoint (gateway {@code /v1/runs},
 * orchestrator {@code /internal/runs}, GPU worker {@code /v1/sessions}), give 400 with the same {@code type} and
 * {@code title}, the offending {@code field}, the request path as {@code instance}, and no stack trace.
 */
@RealRedis
class ProblemShapeAcrossServicesTest {

    /** One service's main POST endpoint and the field its required-field check names. */
    record Endpoint(String service, String baseUrl, String path, String authorization, String bodyMissingAField,
                    String missingField) {}

    private static final String MALFORMED = "{\"problem\": \"2+2\", \"workers\": ";
    private static final String WRONG_TYPE = "{\"workers\": \"many\"}";

    private static ConfigurableApplicationContext gateway;
    private static List<Endpoint> endpoints;

    @BeforeAll
    static void start() {
        gateway = Stack.gateway(Stack.orchestratorUrl());
        endpoints = List.of(
                new Endpoint("gateway", "http://127.0.0.1:" + Stack.port(gateway), "/v1/runs",
                        bearer(Stack.ALICE_KEY), "{\"workers\": 2}", "problem"),
                new Endpoint("orchestrator", Stack.orchestratorUrl(), "/internal/runs", ServiceCredentials.bearer(),
                        "{\"workers\": 2}", "problem"),
                new Endpoint("gpu-worker", Stack.gpuWorkerUrl(), "/v1/sessions", ServiceCredentials.bearer(),
                        "{\"session_id\": \"problem-shape\"}", "layout"));
    }

    /** A client of one service; the internal ones get the service credential, which they require. */
    private static WebTestClient client(String baseUrl) {
        return WebTestClient.bindToServer().baseUrl(baseUrl).responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("Authorization", ServiceCredentials.bearer()).build();
    }

    /** The 400 problem each service answers to {@code body}, by service name. */
    private static Map<String, Map<String, Object>> problems(java.util.function.Function<Endpoint, String> body) {
        Map<String, Map<String, Object>> problems = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            byte[] bytes = client(endpoint.baseUrl()).post().uri(endpoint.path())
                    .headers(h -> {
                        if (endpoint.authorization() != null) {
                            h.set("Authorization", endpoint.authorization());
                        }
                    })
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(body.apply(endpoint)).exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().returnResult().getResponseBody();
            String text = new String(bytes, StandardCharsets.UTF_8);
            assertThat(text).as(endpoint.service()).doesNotContain("\tat ").doesNotContain("Exception")
                    .doesNotContain("trace");
            Map<String, Object> problem = ServiceJson.mapper().readValue(bytes, new TypeReference<>() { });
            assertThat(problem).as(endpoint.service() + ": " + text)
                    .containsKeys("type", "title", "status", "detail", "instance")
                    .containsEntry("status", 400)
                    .containsEntry("instance", endpoint.path());
            assertThat((String) problem.get("type")).as(endpoint.service()).startsWith("urn:hogwild:problem:");
            problems.put(endpoint.service(), problem);
        }
        return problems;
    }

    /** Each of {@code members} has one value across the services. */
    private static void assertAlike(Map<String, Map<String, Object>> problems, String... members) {
        for (String member : members) {
            assertThat(problems.values().stream().map(p -> p.get(member)).distinct().toList())
                    .as(member + " across " + problems).hasSize(1);
        }
    }

    @Test
    void malformedJsonIsTheSameProblemEverywhere() {
        Map<String, Map<String, Object>> problems = problems(endpoint -> MALFORMED);
        assertAlike(problems, "type", "title", "detail");
        assertThat(problems.get("gateway")).containsEntry("type", "urn:hogwild:problem:malformed-json")
                .doesNotContainKey("field");
        assertThat(problems.values()).extracting(Map::keySet).containsOnly(problems.get("gateway").keySet());
    }

    @Test
    void aValueOfTheWrongTypeNamesTheFieldEverywhere() {
        Map<String, Map<String, Object>> problems = problems(endpoint -> WRONG_TYPE);
        assertAlike(problems, "type", "title", "field");
        assertThat(problems.get("gateway")).containsEntry("type", "urn:hogwild:problem:invalid-request")
                .containsEntry("field", "workers");
        assertThat(problems.values()).extracting(Map::keySet).containsOnly(problems.get("gateway").keySet());
        assertThat(problems.values()).allSatisfy(p -> assertThat((String) p.get("detail")).startsWith("workers: "));
    }

    @Test
    void aMissingRequiredFieldIsNamedEverywhere() {
        Map<String, Map<String, Object>> problems = problems(Endpoint::bodyMissingAField);
        assertAlike(problems, "type", "title");
        for (Endpoint endpoint : endpoints) {
            Map<String, Object> problem = problems.get(endpoint.service());
            assertThat(problem).as(endpoint.service()).containsEntry("type", "urn:hogwild:problem:invalid-request")
                    .containsEntry("field", endpoint.missingField());
            assertThat((String) problem.get("detail")).as(endpoint.service()).startsWith(endpoint.missingField());
        }
    }

    @Test
    void bothResilienceUsersExportTheirMetrics() {
        String gatewayMetrics = Http.client(gateway).get().uri("/actuator/prometheus")
                .header("Authorization", bearer(Stack.ADMIN_KEY)).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(gatewayMetrics)
                .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"orchestrator\"")
                .containsPattern("resilience4j_timelimiter_calls_total\\{[^}]*name=\"orchestrator\"")
                .containsPattern("resilience4j_retry_calls_total\\{[^}]*name=\"orchestrator-get\"");

        WebTestClient orchestrator = client(Stack.orchestratorUrl());
        // Listing the workers shows each one's circuit, which makes sure the circuit exists.
        orchestrator.get().uri("/admin/workers").exchange().expectStatus().isOk();
        String orchestratorMetrics = orchestrator.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(orchestratorMetrics)
                .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"gpu-worker:" + Stack.GPU_WORKER_ID
                        + "\"")
                .containsPattern("resilience4j_timelimiter_calls_total\\{[^}]*name=\"gpu-worker\"")
                .containsPattern("resilience4j_retry_calls_total\\{[^}]*name=\"gpu-worker-idempotent\"");
    }
}
