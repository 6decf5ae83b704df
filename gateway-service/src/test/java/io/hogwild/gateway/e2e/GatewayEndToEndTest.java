package io.hogwild.gateway.e2e;

import static io.hogwild.gateway.support.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.run.RunWorkerProgress;
import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Through the gateway with every service real and in-process (GPU worker on CPU with the tiny checkpoint, orchestrator,
 * Redis): a run created with a user key and followed over SSE to its end, resumed with Last-Event-ID, read back
 * through the admin proxy with the admin key; then the same problem through the OpenAI-compatible endpoint, plain and
 * streaming. Budgets are tiny (24 tokens per worker, 8 per step) so each run takes seconds.
 */
@RealRedis
class GatewayEndToEndTest {

    private static final Duration T = Duration.ofSeconds(120);

    private static ConfigurableApplicationContext gateway;
    private static WebTestClient http;
    private static JsonMapper json;

    @BeforeAll
    static void start() {
        gateway = Stack.gateway(Stack.orchestratorUrl());
        http = Http.client(gateway);
        json = Http.json(gateway);
    }

    @AfterAll
    static void stop() {
    }

    static Map<String, Object> tinyRun() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("problem", "Alice and Bob must find 17 * 23. Split the work.");
        body.put("workers", 2);
        body.put("layout", "combined");
        body.put("max_tokens_per_worker", 24);
        body.put("max_step_tokens", 8);
        body.put("temperature", 1.0);
        body.put("top_p", 1.0);
        body.put("seed", 7);
        body.put("self_check_every", 16);
        body.put("finisher_tokens", 4);
        body.put("enable_thinking", false);
        return body;
    }

    @Test
    @SuppressWarnings("unchecked")
    void runCreatedFollowedOverSseResumedAndInspectedByAnAdmin() {
        byte[] createdBody = http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(tinyRun())
                .exchange().expectStatus().isAccepted()
                .expectHeader().valueMatches("Location", "/v1/runs/[0-9a-f-]+")
                .expectBody().returnResult().getResponseBody();
        Map<String, Object> created = Http.map(json, createdBody);
        String id = (String) created.get("id");
        assertThat(created.get("status")).isEqualTo("QUEUED");
        assertThat(created.get("queue_position")).isIn(0, 1);
        assertThat(created.get("links")).isEqualTo(Map.of("self", "/v1/runs/" + id,
                "events", "/v1/runs/" + id + "/events", "cancel", "/v1/runs/" + id + "/cancel"));
        assertThat(created).doesNotContainKeys("gpu_worker", "session_id");

        // Follow the run live to its end.
        // (queue_position events, streamed while the run waits, are not in the log: no id, left out here.)
        List<ServerSentEvent<String>> stream = events(id, null).stream().filter(e -> e.id() != null).toList();
        List<RunEvent> events = stream.stream().map(e -> json.readValue(e.data(), RunEvent.class)).toList();
        for (int i = 0; i < stream.size(); i++) {
            assertThat(stream.get(i).event()).isEqualTo(events.get(i).type().name().toLowerCase(Locale.ROOT));
            assertThat(stream.get(i).id()).isEqualTo(events.get(i).id()).isNotBlank();
        }
        List<EventType> types = events.stream().map(RunEvent::type).toList();
        assertThat(types.get(0)).isEqualTo(EventType.RUN_QUEUED);
        assertThat(types.get(types.size() - 1)).isEqualTo(EventType.RUN_ENDED);
        assertThat(types).containsSubsequence(EventType.STEP_STARTED, EventType.TOKENS,
                EventType.STEP_FINISHED);
        Set<String> tokenWriters = events.stream().map(RunEvent::data).filter(Tokens.class::isInstance)
                .map(data -> ((Tokens) data).worker()).collect(Collectors.toSet());
        assertThat(tokenWriters).as("token deltas per worker").containsExactlyInAnyOrder("Alice", "Bob");

        // Resume after the 5th event: exactly the rest, same ids.
        List<ServerSentEvent<String>> resumed = events(id, stream.get(4).id());
        assertThat(resumed.stream().map(ServerSentEvent::id).toList())
                .isEqualTo(stream.subList(5, stream.size()).stream().map(ServerSentEvent::id).toList());

        // The owner and admins see the run; another user key does not, and cannot cancel it.
        RunView run = json.readValue(http.get().uri("/v1/runs/{id}", id)
                .header("Authorization", bearer(Stack.ALICE_KEY)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), RunView.class);
        assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
        http.get().uri("/v1/runs/{id}", id).header("Authorization", bearer(Stack.ADMIN_KEY)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(id);
        http.get().uri("/v1/runs/{id}", id).header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                .expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/v1/runs/{id}/events", id).header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                .expectStatus().isNotFound();
        http.post().uri("/v1/runs/{id}/cancel", id).header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                .expectStatus().isNotFound();
        // Already ended: the orchestrator's 409 is passed on as a problem.
        http.post().uri("/v1/runs/{id}/cancel", id).header("Authorization", bearer(Stack.ALICE_KEY)).exchange()
                .expectStatus().isEqualTo(409).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(409);

        // The transcript through the admin proxy: every finished step seen on the stream is in it.
        http.get().uri("/admin/runs/{id}/transcript", id).header("Authorization", bearer(Stack.ALICE_KEY))
                .exchange().expectStatus().isForbidden();
        RunTranscript transcript = json.readValue(http.get().uri("/admin/runs/{id}/transcript", id)
                .header("Authorization", bearer(Stack.ADMIN_KEY)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), RunTranscript.class);
        assertThat(transcript.runId()).isEqualTo(id);
        assertThat(transcript.workers()).extracting(w -> w.worker()).containsExactly("Alice", "Bob");
        List<String> finishedSteps = events.stream().map(RunEvent::data).filter(StepFinished.class::isInstance)
                .map(data -> ((StepFinished) data).text()).toList();
        List<String> transcriptSteps = transcript.workers().stream().flatMap(w -> w.steps().stream())
                .map(s -> s.text()).toList();
        assertThat(transcriptSteps).containsExactlyInAnyOrderElementsOf(finishedSteps);
        // What a worker read at the start of a pass, through the admin proxy (admins only).
        http.get().uri("/admin/runs/{id}/view/bob?lockstep=3", id).header("Authorization", bearer(Stack.ALICE_KEY))
                .exchange().expectStatus().isForbidden();
        Map<String, Object> view = Http.map(json, http.get().uri("/admin/runs/{id}/view/bob?lockstep=3", id)
                .header("Authorization", bearer(Stack.ADMIN_KEY)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
        assertThat(view).containsEntry("worker", "Bob").containsEntry("lockstep", 3);
        assertThat((List<Map<String, Object>>) view.get("blocks")).extracting(b -> b.get("name")).containsExactly(
                "prompt", "history-header", "history", "others-header", "step-alice", "marker-alice", "own-header",
                "step-bob");
        assertThat((String) view.get("text")).contains("### Steps the others are still writing\n\n**Alice [1]:** ")
                .contains(" <...>\n\n### Your step in progress\n\n**Bob [1]:** Hello, Bob here. ");
        http.get().uri("/admin/runs/{id}/view/bob?lockstep=100000", id).header("Authorization",
                bearer(Stack.ADMIN_KEY)).exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/admin/runs?status=FINISHED&size=200").header("Authorization", bearer(Stack.ADMIN_KEY))
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.items[*].run_id").value(ids ->
                        assertThat((List<Object>) ids).contains(id));

        // Metrics: the run was counted.
        String metrics = http.get().uri("/actuator/prometheus").header("Authorization", bearer(Stack.ADMIN_KEY))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).containsPattern("hogwild_gateway_runs_accepted_total\\{api=\"runs\"[^}]*} [1-9]")
                .contains("http_server_requests_seconds_count");
    }

    @Test
    void modelsAreListedInOpenAiFormat() {
        http.get().uri("/v1/models").header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.object").isEqualTo("list")
                .jsonPath("$.data[0].object").isEqualTo("model")
                .jsonPath("$.data[0].id").isEqualTo("qwen3-tiny")
                .jsonPath("$.data[0].owned_by").isEqualTo("hogwild")
                .jsonPath("$.data[0].hogwild.gpu_workers").isEqualTo(1);
    }

    static Map<String, Object> chatRequest(boolean stream) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "qwen3-tiny");
        body.put("messages", List.of(
                Map.of("role", "system", "content", "Answer with a number."),
                Map.of("role", "user", "content", "What is 17 * 23?")));
        body.put("max_tokens", 24);
        body.put("temperature", 1.0);
        body.put("top_p", 1.0);
        body.put("seed", 11);
        body.put("stream", stream);
        body.put("n", 1);
        if (stream) {
            body.put("stream_options", Map.of("include_usage", true));
        }
        // What OpenAI clients send besides: accepted and ignored.
        body.put("user", "user-1234");
        body.put("logprobs", false);
        body.put("store", false);
        body.put("frequency_penalty", 0);
        body.put("presence_penalty", 0);
        body.put("metadata", Map.of("team", "tests"));
        body.put("hogwild", Map.of("workers", 2, "layout", "combined", "max_step_tokens", 8, "finisher_tokens", 4,
                "enable_thinking", false));
        return body;
    }

    @Test
    void aModelNoGpuWorkerServesIs404BeforeAnyRunIsCreated() {
        Map<String, Object> chat = chatRequest(false);
        chat.put("model", "gpt-4o");
        http.post().uri("/v1/chat/completions").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(chat).exchange()
                .expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.error.code").isEqualTo("model_not_found")
                .jsonPath("$.error.type").isEqualTo("invalid_request_error")
                .jsonPath("$.error.param").isEqualTo("model")
                .jsonPath("$.error.message").value(m -> assertThat(m.toString()).contains("'gpt-4o'"));
        Map<String, Object> run = tinyRun();
        run.put("model", "gpt-4o");
        http.post().uri("/v1/runs").header("Authorization", bearer(Stack.ALICE_KEY))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(run).exchange()
                .expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:hogwild:problem:model-not-found")
                .jsonPath("$.field").isEqualTo("model");
        http.get().uri("/v1/models/qwen3-tiny").header("Authorization", bearer(Stack.BOB_KEY)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo("qwen3-tiny")
                .jsonPath("$.object").isEqualTo("model");
    }

    @Test
    @SuppressWarnings("unchecked")
    void chatCompletionWithoutStreaming() {
        Map<String, Object> completion = Http.map(json, http.post().uri("/v1/chat/completions")
                .header("Authorization", bearer(Stack.ALICE_KEY)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(chatRequest(false)).exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().returnResult().getResponseBody());
        assertThat(completion.get("object")).isEqualTo("chat.completion");
        assertThat(completion.get("model")).isEqualTo("qwen3-tiny");
        Map<String, Object> hogwild = (Map<String, Object>) completion.get("hogwild");
        String runId = (String) hogwild.get("run_id");
        assertThat(completion.get("id")).isEqualTo("chatcmpl-" + runId);
        assertThat(hogwild.get("workers")).isEqualTo(List.of("Alice", "Bob"));
        assertThat(hogwild).containsKeys("answers", "answers_disagree");

        RunView run = json.readValue(http.get().uri("/v1/runs/{id}", runId)
                .header("Authorization", bearer(Stack.ALICE_KEY)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), RunView.class);
        assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.request().problem()).isEqualTo("Answer with a number.\n\nWhat is 17 * 23?");
        assertThat(run.request().maxTokensPerWorker()).isEqualTo(24);
        assertThat(run.request().seed()).isEqualTo(11L);

        Map<String, Object> choice = ((List<Map<String, Object>>) completion.get("choices")).get(0);
        Map<String, Object> message = (Map<String, Object>) choice.get("message");
        assertThat(message.get("role")).isEqualTo("assistant");
        assertThat(message.get("content")).isEqualTo(run.finalAnswer() == null ? "" : run.finalAnswer());
        assertThat((String) message.get("reasoning_content")).contains("**Alice [1]:** ").contains("**Bob [1]:** ");
        assertThat(choice.get("finish_reason")).isEqualTo("budget".equals(run.finishReason()) ? "length" : "stop");

        Map<String, Object> usage = (Map<String, Object>) completion.get("usage");
        int completionTokens = run.progress().stream().mapToInt(RunWorkerProgress::tokens).sum();
        assertThat(usage.get("completion_tokens")).isEqualTo(completionTokens);
        assertThat((Integer) usage.get("prompt_tokens")).isPositive();
        assertThat(usage.get("total_tokens")).isEqualTo((Integer) usage.get("prompt_tokens") + completionTokens);
    }

    @Test
    @SuppressWarnings("unchecked")
    void chatCompletionStreamed() {
        List<String> data = http.post().uri("/v1/chat/completions")
                .header("Authorization", bearer(Stack.ALICE_KEY)).contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(chatRequest(true)).exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(String.class).getResponseBody().collectList().block(T);
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<Map<String, Object>> chunks = data.subList(0, data.size() - 1).stream()
                .map(d -> json.readValue(d, new TypeReference<Map<String, Object>>() { })).toList();
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.get("object")).isEqualTo("chat.completion.chunk");
            assertThat((String) c.get("id")).startsWith("chatcmpl-");
            assertThat(c.get("id")).isEqualTo(chunks.get(0).get("id"));
            assertThat(c).containsKeys("created", "model", "choices");
        });
        Map<String, Object> first = delta(chunks.get(0));
        assertThat(first.get("role")).isEqualTo("assistant");

        StringBuilder reasoning = new StringBuilder();
        Set<Object> writers = new java.util.HashSet<>();
        List<String> contents = new ArrayList<>();
        for (Map<String, Object> chunk : chunks.subList(0, chunks.size() - 1)) {
            Map<String, Object> delta = delta(chunk);
            if (delta.get("reasoning_content") != null) {
                reasoning.append(delta.get("reasoning_content"));
                writers.add(((Map<String, Object>) chunk.get("hogwild")).get("worker"));
            }
            if (delta.get("content") != null && !chunk.equals(chunks.get(0))) {
                contents.add((String) delta.get("content"));
            }
        }
        assertThat(writers).containsExactlyInAnyOrder("Alice", "Bob");
        assertThat(reasoning.toString()).contains("**Alice [1]:** ").contains("**Bob [1]:** ");

        // With include_usage, the last chunk has no choices and the usage; the one before it the finish reason.
        Map<String, Object> usageChunk = chunks.get(chunks.size() - 1);
        assertThat(usageChunk.get("choices")).isEqualTo(List.of());
        Map<String, Object> last = chunks.get(chunks.size() - 2);
        assertThat(last).doesNotContainKey("usage");
        Map<String, Object> hogwild = (Map<String, Object>) last.get("hogwild");
        String runId = (String) hogwild.get("run_id");
        RunView run = json.readValue(http.get().uri("/v1/runs/{id}", runId)
                .header("Authorization", bearer(Stack.ALICE_KEY)).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), RunView.class);
        assertThat(contents).containsExactly(run.finalAnswer() == null ? "" : run.finalAnswer());
        Map<String, Object> lastChoice = ((List<Map<String, Object>>) last.get("choices")).get(0);
        assertThat(lastChoice.get("finish_reason")).isIn("stop", "length");
        Map<String, Object> usage = (Map<String, Object>) usageChunk.get("usage");
        assertThat(usage.get("completion_tokens"))
                .isEqualTo(run.progress().stream().mapToInt(RunWorkerProgress::tokens).sum());
        assertThat((Integer) usage.get("prompt_tokens")).isPositive();
        assertThat(usage.get("total_tokens")).isEqualTo((Integer) usage.get("prompt_tokens")
                + (Integer) usage.get("completion_tokens"));
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c).doesNotContainKey("usage"));
        // Every TOKENS event's text was streamed as reasoning, in order.
        List<RunEvent> events = events(runId, null).stream().map(e -> json.readValue(e.data(), RunEvent.class))
                .toList();
        String allTokens = events.stream().map(RunEvent::data).filter(Tokens.class::isInstance)
                .map(tokens -> ((Tokens) tokens).text()).collect(Collectors.joining());
        String streamedTokens = chunks.stream().filter(c -> c.get("hogwild") != null
                        && ((Map<String, Object>) c.get("hogwild")).get("event_id") != null
                        && events.stream().anyMatch(e -> e.data() instanceof Tokens
                        && e.id().equals(((Map<String, Object>) c.get("hogwild")).get("event_id"))))
                .map(c -> (String) delta(c).get("reasoning_content")).collect(Collectors.joining());
        assertThat(streamedTokens).isEqualTo(allTokens);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> delta(Map<String, Object> chunk) {
        return (Map<String, Object>) ((List<Map<String, Object>>) chunk.get("choices")).get(0).get("delta");
    }

    private static List<ServerSentEvent<String>> events(String id, String lastEventId) {
        return http.get().uri("/v1/runs/{id}/events", id).header("Authorization", bearer(Stack.ALICE_KEY))
                .headers(h -> {
                    if (lastEventId != null) {
                        h.set("Last-Event-ID", lastEventId);
                    }
                })
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody().filter(e -> e.data() != null).collectList().block(T);
    }
}
