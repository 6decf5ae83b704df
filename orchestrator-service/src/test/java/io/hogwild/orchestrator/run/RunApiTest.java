package io.hogwild.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.awaitility.Awaitility;

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
 * The internal and admin API over HTTP: validation problems, the queue (a run waits while no worker has room, and
 * leaves it when cancelled), worker resilience, and how a run ends when its GPU worker misbehaves (full, down,
 * crashing, vanishing), using a stand-in worker that does so on purpose.
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
        // No worker and no queued run of an earlier test may reach this one's.
        for (String pattern : List.of("hogwild:workers:*", "hogwild:queue:*")) {
            redis.command("EVAL", "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end "
                    + "return 0", "0", pattern);
        }
        worker = new StubGpuWorker("stub-" + UUID.randomUUID());
    }

    @AfterEach
    void tearDown() {
        // A run left running here would look lost once this stand-in worker closes, and be resumed on the next
        // test's: end every run this test left, while its worker still answers.
        List<String> left = unfinished();
        left.forEach(id -> http.post().uri("/internal/runs/{id}/cancel", id).exchange());
        await().atMost(STATE_CHANGE).until(() -> unfinished().isEmpty());
        worker.close();
    }

    private List<String> unfinished() {
        return java.util.stream.Stream.of("queued", "running")
                .flatMap(status -> http.get().uri("/admin/runs?status={s}&size=100", status).exchange()
                        .expectStatus().isOk().expectBody(io.hogwild.contracts.run.RunPage.class).returnResult()
                        .getResponseBody().items().stream())
                .map(RunView::runId).toList();
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
    void badClientNameIsRefused() {
        http.post().uri("/internal/runs").header("X-Hogwild-Client", "no spaces allowed")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"problem\":\"x\"}").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("X-Hogwild-Client");
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
        RunView first = running("{\"problem\":\"short\",\"workers\":2}");
        int fitted = worker.planOf(first.runId()).policy().maxTokensPerWorker();
        assertThat(fitted).as("lowered from the default of 1024").isBetween(1, 1023);

        // The same budget chosen by the caller fits; one token more does not, and the problem says what would.
        running("{\"problem\":\"short\",\"workers\":2,\"max_tokens_per_worker\":" + fitted + "}");
        post("{\"problem\":\"short\",\"workers\":2,\"max_tokens_per_worker\":" + (fitted + 1) + "}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.field").isEqualTo("max_tokens_per_worker")
                .jsonPath("$.detail").value(d -> assertThat(d.toString())
                        .endsWith("(at most " + fitted + " tokens per worker fit)"));

        // One worker has the whole context to itself.
        RunView alone = running("{\"problem\":\"short\",\"workers\":1}");
        assertThat(worker.planOf(alone.runId()).policy().maxTokensPerWorker()).isGreaterThan(fitted);
    }

    @Test
    void aModelWithRoomKeepsTheConfiguredDefaultBudget() {
        // Set before the worker registers: the orchestrator caches a worker's model description.
        worker.contextLimit(32_768);
        worker.register(redis, 4, 0);
        RunView roomy = running("{\"problem\":\"short\",\"workers\":2}");
        assertThat(worker.planOf(roomy.runId()).policy().maxTokensPerWorker()).isEqualTo(1024);
    }

    @Test
    void noRegisteredWorkerQueuesTheRunUntilOneComes() {
        RunView queued = create("{\"problem\":\"What is 2+2?\",\"workers\":2}");
        assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(queued.queuePosition()).isEqualTo(1);
        assertThat(queued.client()).isEqualTo("internal");
        assertThat(queued.gpuWorker()).isNull();

        worker.register(redis, 4, 0);

        await().atMost(STATE_CHANGE).until(() -> get(queued.runId()).status() == RunStatus.RUNNING);
        RunView running = get(queued.runId());
        assertThat(running.gpuWorker()).isEqualTo(worker.id());
        assertThat(running.queuePosition()).isNull();
        // Planned at dispatch, with the worker's model and the seed chosen when the run was accepted.
        assertThat(worker.lastPlan().runId()).isEqualTo(queued.runId());
        assertThat(events(queued.runId())).extracting(RunEvent::type)
                .containsExactly(EventType.RUN_QUEUED, EventType.RUN_STARTED);
    }

    @Test
    void fullWorkerMeansWaitingInTheQueue() {
        worker.register(redis, 4, 0);
        worker.mode(StubGpuWorker.Mode.FULL);

        RunView queued = create("{\"problem\":\"What is 2+2?\",\"workers\":2}");
        assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
        await().atMost(STATE_CHANGE).until(() -> worker.sessionRequests() >= 1);
        // The worker said 503: the run went back to the head of the queue, not to FAILED.
        RunView waiting = get(queued.runId());
        assertThat(waiting.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(waiting.queuePosition()).isIn(0, 1);

        worker.mode(StubGpuWorker.Mode.ACCEPT);
        worker.register(redis, 4, 0); // its next heartbeat: the dispatcher tries it again

        await().atMost(STATE_CHANGE).until(() -> get(queued.runId()).status() == RunStatus.RUNNING);
        assertThat(events(queued.runId())).extracting(RunEvent::type)
                .containsExactly(EventType.RUN_QUEUED, EventType.RUN_STARTED);
    }

    @Test
    void workerAtItsSessionLimitInTheRegistryIsNotAskedForASession() {
        worker.register(redis, 2, 2);
        RunView queued = create("{\"problem\":\"x\"}");
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> worker.sessionRequests() == 0 && get(queued.runId()).status() == RunStatus.QUEUED);

        worker.register(redis, 2, 1);
        await().atMost(STATE_CHANGE).until(() -> get(queued.runId()).status() == RunStatus.RUNNING);
        assertThat(worker.sessionRequests()).isEqualTo(1);
    }

    @Test
    void cancelInTheQueueTakesTheRunOutAndTheNextMovesUp() {
        RunView first = create("{\"problem\":\"first\"}");
        RunView second = create("{\"problem\":\"second\"}");
        assertThat(second.queuePosition()).isEqualTo(2);

        http.post().uri("/internal/runs/{id}/cancel", first.runId()).exchange().expectStatus().isAccepted()
                .expectBody().jsonPath("$.status").isEqualTo("CANCELLED");

        assertThat(get(second.runId()).queuePosition()).isEqualTo(1);
        assertThat(events(first.runId())).extracting(RunEvent::type).containsExactly(EventType.RUN_QUEUED,
                EventType.CANCEL_REQUESTED, EventType.RUN_ENDED);
        http.get().uri("/admin/queue").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.depth").isEqualTo(1)
                .jsonPath("$.clients.internal[0]").isEqualTo(second.runId());

        // Nothing runs the cancelled one once a worker comes.
        worker.register(redis, 4, 0);
        await().atMost(STATE_CHANGE).until(() -> get(second.runId()).status() == RunStatus.RUNNING);
        assertThat(worker.sessionRequests()).isEqualTo(1);
        assertThat(get(first.runId()).status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void theEventStreamOfAQueuedRunShowsItsPositionWithoutIds() {
        RunView first = create("{\"problem\":\"first\"}");
        RunView second = create("{\"problem\":\"second\"}");
        List<org.springframework.http.codec.ServerSentEvent<RunEvent>> seen =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        var following = http.get().uri("/internal/runs/{id}/events", second.runId())
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<org.springframework.http.codec.ServerSentEvent<RunEvent>>() { })
                .getResponseBody().doOnNext(seen::add).take(3).subscribe();
        try {
            await().atMost(STATE_CHANGE).until(() -> seen.size() == 2);
            http.post().uri("/internal/runs/{id}/cancel", first.runId()).exchange().expectStatus().isAccepted();
            await().atMost(STATE_CHANGE).until(() -> seen.size() == 3);
        } finally {
            following.dispose();
        }
        assertThat(seen).extracting(e -> e.data().data()).containsExactly(
                new EventData.RunQueued(Layout.COMBINED, List.of("Alice", "Bob")),
                new EventData.QueuePosition(2), new EventData.QueuePosition(1));
        assertThat(seen.get(0).id()).isNotBlank();
        assertThat(seen.subList(1, 3)).allSatisfy(e -> {
            assertThat(e.id()).as("not in the log").isNull();
            assertThat(e.event()).isEqualTo("QUEUE_POSITION");
        });
    }

    @Test
    void downWorkerLeavesRunsQueuedAndOpensTheCircuit() {
        worker.register(redis, 4, 0);
        worker.mode(StubGpuWorker.Mode.DROP_CONNECTIONS);

        RunView queued = create("{\"problem\":\"x\"}");
        assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);

        // The dispatcher's attempts (and their retries) fill the window of 4 calls and the circuit opens.
        await().atMost(STATE_CHANGE).until(() -> "OPEN".equals(circuitOf(worker.id())));
        int hitsWhenOpen = worker.connections();
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> worker.connections() == hitsWhenOpen);
        assertThat(get(queued.runId()).status()).as("a broken worker is not the run's fault")
                .isEqualTo(RunStatus.QUEUED);

        http.post().uri("/internal/runs/{id}/cancel", queued.runId()).exchange().expectStatus().isAccepted();
        assertThat(get(queued.runId()).status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void unreachableWorkerAddressDoesNotHoldUpAccepting() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        StubGpuWorker.announce(redis, new io.hogwild.contracts.worker.WorkerRegistration("gone",
                "http://127.0.0.1:" + closedPort, "stub-model", 4, 0, 1, System.currentTimeMillis(), false));
        RunView queued = create("{\"problem\":\"x\"}");
        assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
        http.post().uri("/internal/runs/{id}/cancel", queued.runId()).exchange().expectStatus().isAccepted();
    }

    @Test
    void workerCrashMidRunFailsTheRunAndKeepsWhatWasRecorded() {
        worker.register(redis, 4, 0);
        RunView run = running("{\"problem\":\"What is 2+2?\",\"workers\":2,\"layout\":\"combined\"}");
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
        RunView run = running("{\"problem\":\"x\",\"workers\":2}");
        worker.emit(run.sessionId(), new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob")));

        worker.unregister(redis);

        await().atMost(STATE_CHANGE).until(() -> get(run.runId()).status() == RunStatus.FAILED);
        assertThat(get(run.runId()).failureReason()).contains("stopped sending heartbeats");
        assertThat(events(run.runId())).extracting(RunEvent::type).contains(EventType.SESSION_STARTED);
    }

    @Test
    void cancelMidRunStopsTheSessionAndEndsCancelled() {
        worker.register(redis, 4, 0);
        RunView run = running("{\"problem\":\"x\",\"workers\":3,\"layout\":\"interleaved\"}");
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
        RunView run = running("{\"problem\":\"x\",\"workers\":2}");
        worker.emit(run.sessionId(), new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob")));
        worker.emit(run.sessionId(), new EventData.SessionFinished("budget", 7, 12, null, List.of(), false));
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

    private RunView create(String json) {
        return post(json).expectStatus().isAccepted().expectHeader().exists("Location")
                .expectBody(RunView.class).returnResult().getResponseBody();
    }

    /** Creates a run and waits until a GPU worker runs it. */
    private RunView running(String json) {
        RunView queued = create(json);
        await().atMost(STATE_CHANGE).until(() -> get(queued.runId()).status() == RunStatus.RUNNING);
        return get(queued.runId());
    }

    private String circuitOf(String workerId) {
        List<java.util.Map<String, Object>> workers = http.get().uri("/admin/workers").exchange()
                .expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<List<java.util.Map<String, Object>>>() { })
                .returnResult().getResponseBody();
        return workers.stream()
                .filter(w -> workerId.equals(((java.util.Map<?, ?>) w.get("registration")).get("worker_id")))
                .map(w -> (String) w.get("circuit")).findFirst().orElse(null);
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
