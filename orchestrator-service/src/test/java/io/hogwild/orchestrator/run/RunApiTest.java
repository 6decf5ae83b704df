package io.hogwild.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.support.OrchestratorTest;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The internal and admin API over HTTP: validation problems, worker selection and resilience, and how a run ends when
 * its GPU worker misbehaves (full, down, crashing, vanishing), using a stand-in worker that does so on purpose.
 */
@OrchestratorTest
class RunApiTest {

    @Value("${local.server.port}")
    int port;

    /** How long a run may take to reach the state a test waits for. */
    static final Duration STATE_CHANGE = Duration.ofSeconds(15);

    WebTestClient http;
    TestRedis redis = TestRedis.shared();
    StubGpuWorker worker;

    @BeforeEach
    void setUp() {
        http = StubGpuWorker.client(port);
        redis.command("EVAL", "for _, k in ipairs(redis.call('KEYS', 'hogwild:workers:*')) do "
                + "redis.call('DEL', k) end return 0", "0");
        worker = new StubGpuWorker("stub-" + UUID.randomUUID());
    }

    @AfterEach
    void tearDown() {
        worker.close();
    }

    private WebTestClient.ResponseSpec post(String json) {
        return http.post().uri("/internal/runs").contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    private void expectInvalid(String json, String field) {
        post(json).expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(400)
                .jsonPath("$.field").isEqualTo(field)
                .jsonPath("$.detail").value(detail -> assertThat(detail.toString()).contains(field))
                .jsonPath("$.trace").doesNotExist();
    }

    @Test
    void invalidRequestsGetProblemsNamingTheField() {
        worker.register(redis, 4, 0);
        expectInvalid("{\"problem\":\"x\",\"layout\":\"sideways\"}", "layout");
        expectInvalid("{\"problem\":\"x\",\"workers\":0}", "workers");
        expectInvalid("{\"problem\":\"x\",\"workers\":9}", "workers");
        expectInvalid("{\"problem\":\"   \"}", "problem");
        expectInvalid("{\"workers\":2}", "problem");
        expectInvalid("{\"problem\":\"x\",\"max_tokens_per_worker\":0}", "max_tokens_per_worker");
        expectInvalid("{\"problem\":\"x\",\"max_tokens_per_worker\":100000}", "max_tokens_per_worker");
        expectInvalid("{\"problem\":\"x\",\"temperature\":-1}", "temperature");
        expectInvalid("{\"problem\":\"x\",\"top_p\":0}", "top_p");
        expectInvalid("{\"problem\":\"x\",\"layout\":\"single\",\"workers\":2}", "workers");
        expectInvalid("{\"problem\":\"x\",\"workers\":\"many\"}", "workers");
        post("not json").expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(worker.lastPlan()).as("nothing reached the GPU worker").isNull();
    }

    @Test
    void problemLongerThanTheModelsContextIsRefusedAfterCountingTokensOnTheWorker() {
        worker.contextLimit(600);
        worker.register(redis, 4, 0);
        // The stub counts about four characters a token: 4000 characters are ~1000 tokens, over 600.
        expectInvalid("{\"problem\":\"" + "a".repeat(4000) + "\"}", "problem");
        // Fits the context, but not with two workers writing 4000 tokens each.
        expectInvalid("{\"problem\":\"short\",\"max_tokens_per_worker\":4000}", "max_tokens_per_worker");
    }

    @Test
    void unknownFieldsAreRefusedAndNamedInsteadOfIgnored() {
        worker.register(redis, 4, 0);
        expectInvalid("{\"problem\":\"x\",\"wrkers\":3}", "wrkers");
        post("{\"problem\":\"x\",\"wrkers\":3}").expectStatus().isBadRequest().expectBody()
                .jsonPath("$.detail").value(detail -> assertThat(detail.toString())
                        .contains("unknown field").contains("workers").contains("max_tokens_per_worker"));
        assertThat(worker.lastPlan()).as("nothing reached the GPU worker").isNull();
    }

    @Test
    void withoutABudgetEachWorkerGetsTheLargestThatFitsTheModelsContext() {
        worker.contextLimit(600);
        worker.register(redis, 4, 0);
        create("{\"problem\":\"short\",\"workers\":2}");
        int fitted = worker.lastPlan().policy().maxTokensPerWorker();
        assertThat(fitted).as("lowered from the default of 1024").isBetween(1, 1023);

        // The same budget chosen by the caller fits; one token more does not, and the problem says what would.
        create("{\"problem\":\"short\",\"workers\":2,\"max_tokens_per_worker\":" + fitted + "}");
        post("{\"problem\":\"short\",\"workers\":2,\"max_tokens_per_worker\":" + (fitted + 1) + "}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.field").isEqualTo("max_tokens_per_worker")
                .jsonPath("$.detail").value(d -> assertThat(d.toString())
                        .endsWith("(at most " + fitted + " tokens per worker fit)"));

        // One worker has the whole context to itself.
        create("{\"problem\":\"short\",\"workers\":1}");
        assertThat(worker.lastPlan().policy().maxTokensPerWorker()).isGreaterThan(fitted);

        // A model with room keeps the configured default.
        worker.contextLimit(32_768);
        create("{\"problem\":\"short\",\"workers\":2}");
        assertThat(worker.lastPlan().policy().maxTokensPerWorker()).isEqualTo(1024);
    }

    @Test
    void noRegisteredWorkerIs503WithRetryAfter() {
        post("{\"problem\":\"x\"}").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().valueEquals("Retry-After", "3")
                .expectBody().jsonPath("$.detail").value(d -> assertThat(d.toString()).contains("No GPU worker"));
    }

    @Test
    void fullWorkerPropagates503AndItsRetryAfter() {
        worker.register(redis, 4, 0);
        worker.mode(StubGpuWorker.Mode.FULL);

        RunViewHolder holder = new RunViewHolder();
        post("{\"problem\":\"What is 2+2?\",\"workers\":2}")
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().valueEquals("Retry-After", "7")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.detail").value(d -> assertThat(d.toString()).contains("all 2 session slots are busy"))
                .jsonPath("$.run_id").value(id -> holder.id = id.toString());

        // The attempt is on record, failed with the reason; nothing was lost or left QUEUED.
        RunView run = get(holder.id);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.failureReason()).contains("no room");
    }

    @Test
    void workerAtItsSessionLimitInTheRegistryIsNotCalled() {
        worker.register(redis, 2, 2);
        post("{\"problem\":\"x\"}").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().valueEquals("Retry-After", "3");
        assertThat(worker.connections()).isZero();
    }

    @Test
    void downWorkerFailsFastAndOpensTheCircuit() {
        worker.register(redis, 4, 0);
        worker.mode(StubGpuWorker.Mode.DROP_CONNECTIONS);

        // Refused because the worker dropped the connections it was called on, not after waiting out a time limit.
        post("{\"problem\":\"x\"}").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").value(d -> assertThat(d.toString())
                        .contains(worker.id()).contains("unreachable").doesNotContain("in time"));
        assertThat(worker.connections()).as("the worker was called").isPositive();

        // Retries of the idempotent model call count too: the window of 4 calls fills and the circuit opens.
        post("{\"problem\":\"x\"}").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        int hitsWhenOpen = worker.connections();
        for (int i = 0; i < 3; i++) {
            post("{\"problem\":\"x\"}").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectHeader().exists("Retry-After")
                    .expectBody().jsonPath("$.detail").value(d -> assertThat(d.toString())
                            .contains("circuit breaker is open").contains("no call was attempted"));
        }
        assertThat(worker.connections()).as("no call reached the worker once the circuit was open")
                .isEqualTo(hitsWhenOpen);
        http.get().uri("/admin/workers").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$[0].circuit").isEqualTo("OPEN");
    }

    @Test
    void unreachableWorkerAddressIsAClearFastProblem() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        redis.command("SET", "hogwild:workers:gone", StubGpuWorker.JSON.writeValueAsString(
                new io.hogwild.contracts.worker.WorkerRegistration("gone", "http://127.0.0.1:" + closedPort,
                        "stub-model", 4, 0, 1, System.currentTimeMillis())), "EX", "60");
        // The refused connection is the answer: no time limit waited out, and no run recorded for the attempt.
        long runsBefore = runTotal();
        post("{\"problem\":\"x\"}").expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody().jsonPath("$.title").isEqualTo("GPU worker unavailable")
                .jsonPath("$.detail").value(d -> assertThat(d.toString()).contains("gone").contains("unreachable")
                        .contains("Connection refused").doesNotContain("in time"));
        assertThat(runTotal()).isEqualTo(runsBefore);
    }

    @Test
    void workerCrashMidRunFailsTheRunAndKeepsWhatWasRecorded() {
        worker.register(redis, 4, 0);
        RunView run = create("{\"problem\":\"What is 2+2?\",\"workers\":2,\"layout\":\"combined\"}");
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        String session = run.sessionId();
        assertThat(worker.lastPlan().workers()).hasSize(2);

        worker.emit(session, new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob")));
        worker.emit(session, new EventData.StepStarted("Alice", 1, "**Alice [1]:** "));
        worker.emit(session, new EventData.Tokens("Alice", 1, List.of(11, 12), "Let", false));
        await().atMost(STATE_CHANGE).until(() -> get(run.runId()).progress().get(0).tokens() == 2);

        worker.crash();

        await().atMost(STATE_CHANGE).until(() -> get(run.runId()).status() == RunStatus.FAILED);
        RunView failed = get(run.runId());
        assertThat(failed.failureReason()).contains(worker.id());
        assertThat(failed.progress().get(0).tokens()).isEqualTo(2);
        List<RunEvent> events = events(run.runId());
        assertThat(events).extracting(RunEvent::type).containsSubsequence(EventType.RUN_QUEUED,
                EventType.RUN_STARTED, EventType.SESSION_STARTED, EventType.STEP_STARTED,
                EventType.TOKENS, EventType.RUN_ENDED);
        assertThat(events.get(events.size() - 1).data())
                .isEqualTo(new EventData.RunEnded(RunStatus.FAILED, "error", failed.failureReason()));
        RunTranscript transcript = http.get().uri("/admin/runs/{id}/transcript", run.runId()).exchange()
                .expectStatus().isOk().expectBody(RunTranscript.class).returnResult().getResponseBody();
        assertThat(transcript.workers().get(0).steps().get(0).text()).isEqualTo("Let");
    }

    @Test
    void workerWhoseHeartbeatStopsFailsTheRun() {
        worker.register(redis, 4, 0);
        RunView run = create("{\"problem\":\"x\",\"workers\":2}");
        worker.emit(run.sessionId(), new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob")));

        worker.unregister(redis);

        await().atMost(STATE_CHANGE).until(() -> get(run.runId()).status() == RunStatus.FAILED);
        assertThat(get(run.runId()).failureReason()).contains("stopped sending heartbeats");
        assertThat(events(run.runId())).extracting(RunEvent::type).contains(EventType.SESSION_STARTED);
    }

    @Test
    void cancelMidRunStopsTheSessionAndEndsCancelled() {
        worker.register(redis, 4, 0);
        RunView run = create("{\"problem\":\"x\",\"workers\":3,\"layout\":\"interleaved\"}");
        worker.emit(run.sessionId(), new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob")));

        http.post().uri("/internal/runs/{id}/cancel", run.runId()).exchange().expectStatus().isAccepted();

        await().atMost(STATE_CHANGE).until(() -> get(run.runId()).status() == RunStatus.CANCELLED);
        assertThat(worker.cancels()).isEqualTo(1);
        assertThat(events(run.runId())).extracting(RunEvent::type).containsSubsequence(
                EventType.CANCEL_REQUESTED, EventType.SESSION_FINISHED, EventType.RUN_ENDED);
        http.post().uri("/internal/runs/{id}/cancel", run.runId()).exchange()
                .expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void sseReplaysAndResumesFromLastEventId() {
        worker.register(redis, 4, 0);
        RunView run = create("{\"problem\":\"x\",\"workers\":2}");
        worker.emit(run.sessionId(), new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob")));
        worker.emit(run.sessionId(), new EventData.SessionFinished("budget", 7, 12, null));
        await().atMost(STATE_CHANGE).until(() -> get(run.runId()).status() == RunStatus.FINISHED);

        List<org.springframework.http.codec.ServerSentEvent<RunEvent>> all = sse(run.runId(), null);
        assertThat(all).extracting(e -> e.data().type()).containsExactly(EventType.RUN_QUEUED,
                EventType.RUN_STARTED, EventType.SESSION_STARTED, EventType.SESSION_FINISHED,
                EventType.RUN_ENDED);
        assertThat(all).allSatisfy(e -> {
            assertThat(e.id()).isEqualTo(e.data().id());
            assertThat(e.event()).isEqualTo(e.data().type().name());
        });

        List<org.springframework.http.codec.ServerSentEvent<RunEvent>> resumed = sse(run.runId(), all.get(2).id());
        assertThat(resumed).extracting(e -> e.data().type()).containsExactly(EventType.SESSION_FINISHED,
                EventType.RUN_ENDED);
        http.get().uri("/internal/runs/{id}/events", run.runId()).header("Last-Event-ID", "garbage")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isBadRequest();
    }

    @Test
    void adminAndInternalReadsAnswerProblemsForUnknownThings() {
        http.get().uri("/internal/runs/nope").exchange().expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/admin/runs/nope/transcript").exchange().expectStatus().isNotFound();
        http.get().uri("/admin/runs?status=bogus").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("status");
        http.get().uri("/admin/runs?size=0").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("size");
        http.get().uri("/admin/runs?status=failed&page=0&size=5").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.size").isEqualTo(5);
    }

    // --- helpers

    static final class RunViewHolder {
        String id;
    }

    private RunView create(String json) {
        return post(json).expectStatus().isAccepted().expectHeader().exists("Location")
                .expectBody(RunView.class).returnResult().getResponseBody();
    }

    private long runTotal() {
        return http.get().uri("/admin/runs?size=1").exchange().expectStatus().isOk()
                .expectBody(tools.jackson.databind.JsonNode.class).returnResult().getResponseBody()
                .path("total").asLong();
    }

    private RunView get(String runId) {
        return http.get().uri("/internal/runs/{id}", runId).exchange().expectStatus().isOk()
                .expectBody(RunView.class).returnResult().getResponseBody();
    }

    private List<RunEvent> events(String runId) {
        return http.get().uri("/admin/runs/{id}/events", runId).exchange().expectStatus().isOk()
                .expectBodyList(RunEvent.class).returnResult().getResponseBody();
    }

    private List<org.springframework.http.codec.ServerSentEvent<RunEvent>> sse(String runId, String lastEventId) {
        var request = http.get().uri("/internal/runs/{id}/events", runId).accept(MediaType.TEXT_EVENT_STREAM);
        if (lastEventId != null) {
            request = request.header("Last-Event-ID", lastEventId);
        }
        return request.exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<org.springframework.http.codec.ServerSentEvent<RunEvent>>() { })
                .getResponseBody().collectList().block(Duration.ofSeconds(20));
    }
}
