package io.hogwild.gateway.security;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.http.KeepAliveConnection;
import io.hogwild.testing.redis.RealRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every way a client can be refused: each gets the right status and an RFC 9457 problem naming what is wrong, and no
 * run is created (the admin list's total does not move). Logs are captured at DEBUG throughout: no API key may ever
 * appear in them.
 */
@RealRedis
class GatewaySecurityTest {

    private static final String DEV_KEY = "dev-plaintext-key-from-env-42";

    private static ConfigurableApplicationContext gateway;
    private static WebTestClient http;
    private static JsonMapper json;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static Level rootLevel;
    private static long runsBefore;

    @BeforeAll
    static void start() {
        // Spring Boot configures logging when the first context of the JVM starts (and leaves it alone after): attach
        // the capturing appender after that, before this test's gateway starts.
        String orchestrator = Stack.orchestratorUrl();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        gateway = Stack.gateway(orchestrator, "hogwild.gateway.dev-keys.user=" + DEV_KEY,
                "hogwild.gateway.max-request-body=4KB");
        http = Http.client(gateway);
        json = Http.json(gateway);
        runsBefore = runTotal();
    }

    @AfterAll
    static void stop() {
        try {
            assertThat(runTotal()).as("no run was created by any refused request").isEqualTo(runsBefore);
            } finally {
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.detachAppender(logs);
            root.setLevel(rootLevel);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : logs.list) {
            lines.add(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                lines.add(t.getMessage());
            }
            lines.add(String.valueOf(event.getMDCPropertyMap()));
        }
        assertThat(lines).as("captured log lines").hasSizeGreaterThan(50)
                .anySatisfy(l -> assertThat(l).contains("API keys loaded"));
        for (String key : List.of(Stack.ALICE_KEY, Stack.BOB_KEY, Stack.ADMIN_KEY, DEV_KEY)) {
            assertThat(lines).as("logs").noneSatisfy(l -> assertThat(String.valueOf(l)).contains(key));
            assertThat(lines).as("logs").noneSatisfy(l -> assertThat(String.valueOf(l)).contains(Stack.sha256(key)));
        }
    }

    private static long runTotal() {
        byte[] body = http.get().uri("/admin/runs?size=1").header("Authorization", bearer(Stack.ADMIN_KEY))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return ((Number) Http.map(json, body).get("total")).longValue();
    }

    /** Status, problem content type, and the problem members every error carries. */
    static Map<String, Object> problem(WebTestClient.ResponseSpec response, int status) {
        byte[] body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody();
        Map<String, Object> problem = Http.map(json, body);
        assertThat(problem).containsKeys("type", "title", "status", "detail");
        assertThat(problem.get("status")).isEqualTo(status);
        assertThat((String) problem.get("type")).startsWith("urn:hogwild:problem:");
        assertThat(new String(body, StandardCharsets.UTF_8)).doesNotContain("Exception").doesNotContain("\tat ");
        return problem;
    }

    /** The OpenAI-compatible paths answer errors in OpenAI's shape instead; returns the {@code error} object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> openAiError(WebTestClient.ResponseSpec response, int status) {
        byte[] body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().returnResult().getResponseBody();
        Map<String, Object> document = Http.map(json, body);
        assertThat(document).containsOnlyKeys("error");
        Map<String, Object> error = (Map<String, Object>) document.get("error");
        assertThat(error).containsOnlyKeys("message", "type", "param", "code");
        assertThat((String) error.get("message")).isNotBlank();
        assertThat(new String(body, StandardCharsets.UTF_8)).doesNotContain("Exception").doesNotContain("\tat ");
        return error;
    }

    @Test
    void noKeyWrongKeyAndOtherSchemesAre401WithABearerChallenge() {
        for (String header : new String[] {null, bearer("not-a-key"), "Basic " + Stack.ALICE_KEY, "Bearer ",
                Stack.ALICE_KEY}) {
            WebTestClient.ResponseSpec response = http.post().uri("/v1/runs")
                    .headers(h -> {
                        if (header != null) {
                            h.set("Authorization", header);
                        }
                    })
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("problem", "2+2")).exchange();
            response.expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"hogwild\"");
            assertThat(problem(response, 401).get("title")).isEqualTo("Unauthorized");
        }
        WebTestClient.ResponseSpec models = http.get().uri("/v1/models").exchange();
        models.expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"hogwild\"");
        assertThat(openAiError(models, 401)).containsEntry("type", "authentication_error")
                .containsEntry("code", "invalid_api_key");
        assertThat(openAiError(http.post().uri("/v1/chat/completions").header("Authorization", bearer("not-a-key"))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("messages", List.of())).exchange(), 401))
                .containsEntry("code", "invalid_api_key").containsEntry("message", "the API key is not valid");
        problem(http.get().uri("/admin/runs").header("Authorization", bearer("wrong")).exchange(), 401);
        problem(http.get().uri("/v3/api-docs").exchange(), 401);
        problem(http.get().uri("/actuator/prometheus").exchange(), 401);
    }

    /**
     * Refusals on a connection the client keeps alive are all answered: each request here goes out as soon as the
     * previous answer arrived (on four connections at once), alternating answers made after a round trip to Redis
     * (rate limit, run owner) with 401s made at once. Reactor Netty 1.3.6 now and then stopped reading such a connection after answering at once a
     * request it had held back, and the next request on it never got an answer (a test client's 120 s timeout).
     */
    @Test
    void refusalsOnAKeptAliveConnectionAreAllAnswered() throws Exception {
        KeepAliveConnection.onConnections(Stack.port(gateway), 4, Duration.ofSeconds(20), connection -> {
            for (int i = 0; i < 200; i++) {
                assertThat(connection.send("GET", "/v1/runs/no-such-run", Map.of("Authorization",
                        bearer(Stack.ALICE_KEY)), null).status()).isEqualTo(404);
                KeepAliveConnection.Response noKey = connection.send("POST", "/v1/runs",
                        Map.of("Content-Type", "application/json"), "{\"problem\": \"2+2\"}");
                assertThat(noKey.status()).isEqualTo(401);
                assertThat(noKey.headers()).containsEntry("www-authenticate", "Bearer realm=\"hogwild\"");
                assertThat(connection.send("GET", "/v1/models", Map.of("Authorization", bearer("not-a-key")), null)
                        .status()).isEqualTo(401);
            }
        });
    }

    @Test
    void userKeysAreForbiddenOnAdminRoutesAndMetrics() {
        for (String path : new String[] {"/admin/runs", "/admin/workers", "/admin/runs/x/transcript",
                "/actuator/prometheus"}) {
            problem(http.get().uri(path).header("Authorization", bearer(Stack.ALICE_KEY)).exchange(), 403);
        }
        http.get().uri("/actuator/prometheus").header("Authorization", bearer(Stack.ADMIN_KEY)).exchange()
                .expectStatus().isOk().expectBody(String.class).value(metrics -> assertThat(metrics)
                        .contains("hogwild_gateway_rejected_requests_total{reason=\"forbidden\"}")
                        .contains("resilience4j_circuitbreaker_state"));
    }

    @Test
    void healthProbesAreOpenAndKeysFromTheEnvironmentWork() {
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        http.get().uri("/v1/models").header("Authorization", bearer(DEV_KEY)).exchange().expectStatus().isOk();
        http.get().uri("/v3/api-docs").header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.paths['/v1/runs'].post").exists()
                .jsonPath("$.paths['/v1/chat/completions'].post").exists()
                .jsonPath("$.components.schemas.RunRequest.properties.max_tokens_per_worker").exists();
    }

    @Test
    void oversizedBodiesAre413WithOrWithoutContentLength() {
        String big = "x".repeat(5000);
        assertThat(problem(http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("problem", big)).exchange(), 413)
                .get("max_bytes")).isEqualTo(4096);
        // Chunked: no Content-Length, the limit is enforced while reading.
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        Flux<DataBuffer> chunks = Flux.range(0, 10).map(i -> buffers.wrap(
                (i == 0 ? "{\"problem\": \"" : "").concat("y".repeat(1000)).getBytes(StandardCharsets.UTF_8)));
        assertThat(openAiError(http.post().uri("/v1/chat/completions").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).body(chunks, DataBuffer.class).exchange(), 413))
                .containsEntry("type", "invalid_request_error").containsEntry("code", "payload_too_large");
    }

    @Test
    void malformedJsonAndOtherRequestErrorsAreProblems() {
        for (String body : new String[] {"{\"problem\": \"x\",", "not json", "[1, 2", "{\"problem\": }"}) {
            Map<String, Object> problem = problem(http.post().uri("/v1/runs")
                    .header("Authorization", bearer(Stack.ALICE_KEY)).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body).exchange(), 400);
            assertThat(problem.get("type")).as(body).isIn("urn:hogwild:problem:malformed-json",
                    "urn:hogwild:problem:invalid-request");
        }
        problem(http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).exchange(), 400);
        problem(http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.TEXT_PLAIN).bodyValue("problem").exchange(), 415);
        problem(http.delete().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY)).exchange(), 405);
        problem(http.get().uri("/v1/nothing-here").header("Authorization", bearer(Stack.ALICE_KEY)).exchange(), 404);
        problem(http.get().uri("/v1/runs/no-such-run").header("Authorization", bearer(Stack.ALICE_KEY))
                .exchange(), 404);
        problem(http.get().uri("/v1/runs/bad%20id!").header("Authorization", bearer(Stack.ADMIN_KEY))
                .exchange(), 404);
    }

    static Stream<Arguments> invalidRuns() {
        return Stream.of(
                Arguments.of("{}", "problem"),
                Arguments.of("{\"problem\": \"  \"}", "problem"),
                Arguments.of("{\"problem\": 5}", "problem"),
                Arguments.of("{\"problem\": \"p\", \"workers\": 0}", "workers"),
                Arguments.of("{\"problem\": \"p\", \"workers\": 9}", "workers"),
                Arguments.of("{\"problem\": \"p\", \"workers\": \"two\"}", "workers"),
                Arguments.of("{\"problem\": \"p\", \"workers\": 2.5}", "workers"),
                Arguments.of("{\"problem\": \"p\", \"layout\": \"diagonal\"}", "layout"),
                Arguments.of("{\"problem\": \"p\", \"max_tokens_per_worker\": 0}", "max_tokens_per_worker"),
                Arguments.of("{\"problem\": \"p\", \"max_step_tokens\": 9000}", "max_step_tokens"),
                Arguments.of("{\"problem\": \"p\", \"temperature\": -1}", "temperature"),
                Arguments.of("{\"problem\": \"p\", \"top_p\": 0}", "top_p"),
                Arguments.of("{\"problem\": \"p\", \"top_p\": 1.5}", "top_p"),
                Arguments.of("{\"problem\": \"p\", \"top_k\": -1}", "top_k"),
                Arguments.of("{\"problem\": \"p\", \"seed\": \"abc\"}", "seed"),
                Arguments.of("{\"problem\": \"p\", \"self_check_every\": -1}", "self_check_every"),
                Arguments.of("{\"problem\": \"p\", \"finisher_tokens\": 2000}", "finisher_tokens"),
                Arguments.of("{\"problem\": \"p\", \"enable_thinking\": \"maybe\"}", "enable_thinking"),
                Arguments.of("{\"problem\": \"p\", \"model\": \"" + "m".repeat(201) + "\"}", "model"),
                Arguments.of("{\"problem\": \"p\", \"wrkers\": 3}", "wrkers"),
                Arguments.of("{\"problem\": \"p\", \"workers\": 1, \"user\": \"u-1\"}", "user"));
    }

    @ParameterizedTest
    @MethodSource("invalidRuns")
    void everyInvalidRunFieldIsNamed(String body, String field) {
        Map<String, Object> problem = problem(http.post().uri("/v1/runs")
                .header("Authorization", bearer(Stack.ALICE_KEY)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange(), 400);
        assertThat(problem.get("field")).as(body).isEqualTo(field);
        assertThat((String) problem.get("detail")).startsWith(field);
    }

    static Stream<Arguments> invalidChats() {
        String user = "{\"role\": \"user\", \"content\": \"2+2?\"}";
        return Stream.of(
                Arguments.of("{}", "messages"),
                Arguments.of("{\"messages\": []}", "messages"),
                Arguments.of("{\"messages\": \"hi\"}", "messages"),
                Arguments.of("{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", "messages[0].role"),
                Arguments.of("{\"messages\": [{\"content\": \"x\"}]}", "messages[0].role"),
                Arguments.of("{\"messages\": [{\"role\": \"system\", \"content\": \"only context\"}]}", "messages"),
                Arguments.of("{\"messages\": [{\"role\": \"user\", \"content\": 42}]}", "messages[0].content"),
                Arguments.of("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}",
                        "messages[0].content[0]"),
                Arguments.of("{\"messages\": [" + user + "], \"max_tokens\": 0}", "max_tokens"),
                Arguments.of("{\"messages\": [" + user + "], \"temperature\": 9}", "temperature"),
                Arguments.of("{\"messages\": [" + user + "], \"top_p\": 0}", "top_p"),
                Arguments.of("{\"messages\": [" + user + "], \"seed\": \"abc\"}", "seed"),
                Arguments.of("{\"messages\": [" + user + "], \"stream\": \"yes\"}", "stream"),
                Arguments.of("{\"messages\": [" + user + "], \"hogwild\": {\"workers\": 9}}", "hogwild.workers"),
                Arguments.of("{\"messages\": [" + user + "], \"hogwild\": {\"layout\": \"nope\"}}", "hogwild.layout"),
                Arguments.of("{\"messages\": [" + user + "], \"hogwild\": {\"max_step_tokens\": 0}}",
                        "hogwild.max_step_tokens"),
                Arguments.of("{\"messages\": [" + user + "], \"hogwild\": {\"wrkers\": 3}}", "hogwild.wrkers"),
                Arguments.of("{\"messages\": [" + user + "], \"n\": 2}", "n"),
                Arguments.of("{\"messages\": [" + user + "], \"n\": 0}", "n"));
    }

    @ParameterizedTest
    @MethodSource("invalidChats")
    void everyInvalidChatFieldIsNamed(String body, String field) {
        Map<String, Object> error = openAiError(http.post().uri("/v1/chat/completions")
                .header("Authorization", bearer(Stack.BOB_KEY)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange(), 400);
        assertThat(error.get("param")).as(body).isEqualTo(field);
        assertThat(error.get("type")).isEqualTo("invalid_request_error");
        assertThat((String) error.get("message")).as(body).startsWith(field);
    }

    @Test
    void malformedChatJsonIsAnOpenAiErrorAndEveryOtherPathKeepsProblems() {
        assertThat(openAiError(http.post().uri("/v1/chat/completions").header("Authorization", bearer(Stack.BOB_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"messages\": [").exchange(), 400))
                .containsEntry("code", "malformed_json").containsEntry("param", null);
        assertThat(openAiError(http.get().uri("/v1/models/no-such-model").header("Authorization",
                bearer(Stack.BOB_KEY)).exchange(), 404)).containsEntry("code", "model_not_found")
                .containsEntry("param", "model");
        problem(http.get().uri("/v1/modelsx").header("Authorization", bearer(Stack.BOB_KEY)).exchange(), 404);
        problem(http.get().uri("/v1/chat").header("Authorization", bearer(Stack.BOB_KEY)).exchange(), 404);
    }

    @Test
    void rateLimitsHoldPerKeyAcrossReplicas() {
        // Two gateway replicas sharing the buckets in Redis: 3 requests at once per key, refilled at 1 per minute.
        String[] tiny = {"hogwild.gateway.rate-limit.burst=3", "hogwild.gateway.rate-limit.requests-per-minute=1",
                "hogwild.gateway.rate-limit.key-prefix=hogwild:test:tiny-limit:"};
        ConfigurableApplicationContext a = Stack.gateway(Stack.orchestratorUrl(), tiny);
        ConfigurableApplicationContext b = Stack.gateway(Stack.orchestratorUrl(), tiny);
        {
            WebTestClient first = Http.client(a);
            WebTestClient second = Http.client(b);
            first.get().uri("/v1/runs/unknown").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                    .expectStatus().isNotFound().expectHeader().valueEquals("X-RateLimit-Remaining", "2");
            second.get().uri("/v1/runs/unknown").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                    .expectStatus().isNotFound().expectHeader().valueEquals("X-RateLimit-Remaining", "1");
            first.get().uri("/v1/runs/unknown").header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                    .expectStatus().isNotFound();
            for (WebTestClient replica : List.of(first, second)) {
                WebTestClient.ResponseSpec limited = replica.post().uri("/v1/runs")
                        .header("Authorization", bearer(Stack.ALICE_KEY)).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("problem", "2+2", "workers", 1, "layout", "single",
                                "max_tokens_per_worker", 4))
                        .exchange();
                limited.expectHeader().value("Retry-After", v -> assertThat(Integer.parseInt(v)).isBetween(1, 61));
                Map<String, Object> problem = problem(limited, 429);
                assertThat(problem.get("title")).isEqualTo("Too many requests");
                assertThat(((Number) problem.get("retry_after_seconds")).intValue()).isBetween(1, 61);
            }
            // Another key has its own bucket.
            second.get().uri("/v1/runs/unknown").header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                    .expectStatus().isNotFound();
            Http.client(a).get().uri("/actuator/prometheus").header("Authorization", bearer(Stack.ADMIN_KEY))
                    .exchange().expectStatus().isOk().expectBody(String.class).value(metrics -> assertThat(metrics)
                            .containsPattern("hogwild_gateway_rejected_requests_total\\{reason=\"rate_limited\"} "
                                    + "[1-9]"));
        }
    }
}
