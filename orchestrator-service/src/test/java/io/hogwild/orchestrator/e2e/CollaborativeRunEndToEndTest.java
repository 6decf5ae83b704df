package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.run.HistoryEntry;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.run.TranscriptStep;
import io.hogwild.contracts.run.WorkerView;
import io.hogwild.orchestrator.OrchestratorApplication;
import io.hogwild.orchestrator.run.StreamIds;
import io.hogwild.orchestrator.run.TranscriptBuilder;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.RedisPropertiesInitializer;
import io.hogwild.testing.redis.TestRedis;
import io.hogwild.worker.WorkerApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The whole path with real parts: the real GPU worker service (engine on CPU, golden qwen3-tiny checkpoint), the
 * orchestrator, and a real Redis, each service a Spring application on its own random port in this JVM.
 *
 * <p>A 2-worker {@code combined} run, followed live over SSE. The random-weight model babbles, so steps end at
 * {@code max_step_tokens} and the run ends by budget and finisher; both are small so this takes seconds. What each
 * worker read is asked of the admin API's view endpoint. Afterwards both services are restarted (Redis keeps running)
 * and what Redis gives back must equal what was seen live.
 */
@ExtendWith(RedisExtension.class)
class CollaborativeRunEndToEndTest {

    private static final Duration T = Duration.ofSeconds(120);

    private ConfigurableApplicationContext gpuWorker;
    private ConfigurableApplicationContext orchestrator;

    static ConfigurableApplicationContext startGpuWorker() {
        return startGpuWorker("hogwild-engine/src/test/resources/golden/qwen3-tiny", "e2e-gpu");
    }

    /**
     * The real GPU worker service on a random port, serving {@code modelPath} (relative: found from here up), on the
     * test Redis unless {@code extra} names another; {@code extra} are more {@code --name=value} arguments.
     */
    static ConfigurableApplicationContext startGpuWorker(String modelPath, String workerId, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                // Our application.yml is first on this classpath; the worker must not read it.
                "--spring.config.name=gpu-worker-e2e",
                "--server.port=0",
                "--hogwild.model.path=" + modelPath,
                "--hogwild.worker.id=" + workerId,
                "--hogwild.worker.device=cpu",
                "--hogwild.worker.heartbeat-interval=300ms",
                "--hogwild.worker.heartbeat-ttl=5s",
                ServiceCredentials.argument()));
        // Command-line arguments: they win over any application.yml (default properties would not).
        return onRedis(new SpringApplicationBuilder(WorkerApplication.class), extra).run(merged(args, extra));
    }

    /** An orchestrator on a random port (on the test Redis unless {@code extra} names another). */
    static ConfigurableApplicationContext startOrchestrator(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--hogwild.orchestrator.events.poll-interval=20ms",
                "--hogwild.orchestrator.registry.heartbeat-check-interval=500ms",
                "--hogwild.orchestrator.queue.dispatch-interval=100ms",
                ServiceCredentials.argument()));
        return onRedis(new SpringApplicationBuilder(OrchestratorApplication.class), extra)
                .run(merged(args, extra));
    }

    /** The defaults with {@code extra} added, an extra {@code --name=value} replacing a default of the same name. */
    private static String[] merged(List<String> defaults, String... extra) {
        Map<String, String> byName = new java.util.LinkedHashMap<>();
        for (String arg : defaults) {
            byName.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        for (String arg : extra) {
            byName.put(arg.substring(0, arg.indexOf('=')), arg);
        }
        return byName.values().toArray(String[]::new);
    }

    /** The test Redis, unless the arguments name another (the initializer would take precedence over them). */
    private static SpringApplicationBuilder onRedis(SpringApplicationBuilder builder, String... args) {
        boolean own = java.util.Arrays.stream(args).anyMatch(a -> a.startsWith("--spring.data.redis.url="));
        return own ? builder : builder.initializers(new RedisPropertiesInitializer());
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @AfterEach
    void stop() {
        if (orchestrator != null) {
            orchestrator.close();
        }
        if (gpuWorker != null) {
            gpuWorker.close();
        }
    }

    @Test
    void twoWorkersCollaborateAndTheRecordSurvivesARestart(TestRedis redis) throws Exception {
        redis.flushAll();
        gpuWorker = startGpuWorker();
        orchestrator = startOrchestrator();
        awaitRegistration(redis);
        WebTestClient http = StubGpuWorker.client(port(orchestrator));

        RunView created = http.post().uri("/internal/runs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(new RunRequest("Alice and Bob must find 17 * 23. Split the work.", 2, Layout.COMBINED,
                        40, 12, 1.0, 1.0, 0, 7L, 16, 4, false, false, null))
                .exchange().expectStatus().isAccepted()
                .expectBody(RunView.class).returnResult().getResponseBody();
        assertThat(created.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(created.workers()).containsExactly("Alice", "Bob");

        // Followed live, over SSE, until the run ends.
        CompletableFuture<List<ServerSentEvent<RunEvent>>> live = http.get()
                .uri("/internal/runs/{id}/events", created.runId()).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<RunEvent>>() { })
                .getResponseBody().collectList().toFuture();
        // The log's events (QUEUE_POSITION, streamed while the run waited, has no id and is not in the log).
        List<RunEvent> events = live.get(T.toSeconds(), TimeUnit.SECONDS).stream().map(ServerSentEvent::data)
                .filter(e -> e.id() != null).toList();

        RunView run = http.get().uri("/internal/runs/{id}", created.runId()).exchange().expectStatus().isOk()
                .expectBody(RunView.class).returnResult().getResponseBody();
        assertThat(run.status()).as("run %s: %s", run.runId(), run.failureReason()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.finishReason()).isIn("budget", "stopped", "answer");
        assertThat(run.answersDisagree()).isNotNull();
        assertThat(run.gpuWorker()).isEqualTo("e2e-gpu");

        assertEventOrder(events);
        assertEachWorkerSawTheOther(events);
        RunTranscript liveTranscript = TranscriptBuilder.build(run.runId(), run.status(), run.workers(), events,
                run.finalAnswer());
        assertPromotionFilledTheSharedHistory(events, liveTranscript);
        assertThat(run.progress()).allSatisfy(p -> {
            assertThat(p.tokens()).isLessThanOrEqualTo(40);
            assertThat(p.steps()).isGreaterThanOrEqualTo(2);
        });
        assertViewsOverHttp(http, run.runId(), events, liveTranscript);

        // Restart both services; Redis keeps running.
        orchestrator.close();
        gpuWorker.close();
        gpuWorker = startGpuWorker();
        orchestrator = startOrchestrator();
        WebTestClient after = StubGpuWorker.client(port(orchestrator));

        RunTranscript stored = after.get().uri("/admin/runs/{id}/transcript", run.runId()).exchange()
                .expectStatus().isOk().expectBody(RunTranscript.class).returnResult().getResponseBody();
        assertThat(stored).isEqualTo(liveTranscript);
        List<RunEvent> storedEvents = after.get().uri("/admin/runs/{id}/events?limit=10000", run.runId()).exchange()
                .expectStatus().isOk().expectBodyList(RunEvent.class).returnResult().getResponseBody();
        assertThat(storedEvents).isEqualTo(events);
        after.get().uri("/admin/runs/{id}/transcript/bob", run.runId()).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.worker").isEqualTo("Bob");
        after.get().uri("/admin/runs?status=FINISHED").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items[0].run_id").isEqualTo(run.runId());
    }

    private static void awaitRegistration(TestRedis redis) {
        awaitRegistration(redis, "e2e-gpu");
    }

    static void awaitRegistration(TestRedis redis, String workerId) {
        redis.awaitKey("hogwild:workers:" + workerId, Duration.ofSeconds(30));
    }

    /** Lifecycle first and last; per worker: a step starts, gets tokens, finishes, is promoted, then the next. */
    private static void assertEventOrder(List<RunEvent> events) {
        List<EventType> types = events.stream().map(RunEvent::type).toList();
        assertThat(types.subList(0, 3)).containsExactly(EventType.RUN_QUEUED, EventType.RUN_STARTED,
                EventType.SESSION_STARTED);
        assertThat(types).containsSubsequence(EventType.SESSION_STARTED, EventType.PREFILL_FINISHED,
                EventType.STEP_STARTED, EventType.TOKENS, EventType.STEP_FINISHED,
                EventType.STEP_PROMOTED, EventType.BUDGET_EXHAUSTED, EventType.FINISHER_STARTED,
                EventType.SESSION_FINISHED, EventType.RUN_ENDED);
        assertThat(types.get(types.size() - 1)).isEqualTo(EventType.RUN_ENDED);
        assertThat(types.get(types.size() - 2)).isEqualTo(EventType.SESSION_FINISHED);
        assertThat(events.stream().filter(e -> e.sessionSeq() != null).map(RunEvent::sessionSeq).toList())
                .as("session events in the worker's order, none lost or repeated").isSorted().doesNotHaveDuplicates();
        assertThat(events).extracting(RunEvent::id).isSortedAccordingTo(StreamIds.ORDER).doesNotHaveDuplicates();

        for (String worker : List.of("Alice", "Bob")) {
            int step = 0;
            boolean finished = true;
            int promoted = 0;
            for (RunEvent e : events) {
                if (!(e.data() instanceof EventData.OfStep ofStep) || !worker.equals(ofStep.worker())) {
                    continue;
                }
                if (ofStep instanceof StepStarted started) {
                    assertThat(finished).as(worker + " starts a step after the previous ended").isTrue();
                    assertThat(started.step()).isEqualTo(step + 1);
                    assertThat(started.prefix()).isEqualTo("**" + worker + " [" + started.step() + "]:** "
                            + (started.step() == 1 ? "Hello, " + worker + " here. " : ""));
                    step = started.step();
                    finished = false;
                } else if (ofStep instanceof Tokens) {
                    assertThat(ofStep.step()).isEqualTo(step);
                } else if (ofStep instanceof StepFinished) {
                    assertThat(finished).isFalse();
                    assertThat(ofStep.step()).isEqualTo(step);
                    finished = true;
                } else if (ofStep instanceof StepPromoted) {
                    // a step moves to the history after the pass that wrote its last token with the next prefix
                    assertThat(ofStep.step()).isEqualTo(++promoted).isLessThanOrEqualTo(step);
                }
            }
            assertThat(step).as(worker + " wrote several steps").isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * The admin API's view endpoint: what a worker read at the start of a pass, block by block, with the history holding
     * exactly the steps promoted before that pass; the last pass when none is asked for; clear problems otherwise.
     */
    private static void assertViewsOverHttp(WebTestClient http, String runId, List<RunEvent> events,
                                            RunTranscript transcript) {
        long last = events.stream().map(RunEvent::data).filter(EventData.PassWritten.class::isInstance)
                .mapToLong(d -> ((EventData.PassWritten) d).pass()).max().orElseThrow();
        for (long pass : List.of(1L, 2L, last / 2, last)) {
            WorkerView view = http.get().uri("/admin/runs/{id}/view/alice?lockstep={n}", runId, pass).exchange()
                    .expectStatus().isOk().expectBody(WorkerView.class).returnResult().getResponseBody();
            assertThat(view.worker()).isEqualTo("Alice");
            assertThat(view.lockstep()).isEqualTo(pass);
            assertThat(view.blocks()).extracting(WorkerView.Block::name).containsExactly("prompt", "history-header",
                    "history", "others-header", "step-bob", "marker-bob", "own-header", "step-alice");
            assertThat(view.text()).isEqualTo(String.join("", view.blocks().stream().map(WorkerView.Block::text)
                    .toList())).doesNotContain("\n\n\n");
            assertThat(view.tokenIds()).hasSize(view.blocks().stream().mapToInt(WorkerView.Block::length).sum());
            // the history holds the steps promoted before the pass, in promotion order
            long promotedBefore = events.stream().filter(e -> e.data() instanceof StepPromoted
                    && e.lockstep() < pass).count();
            String history = String.join("", transcript.history().subList(0, (int) promotedBefore).stream()
                    .map(HistoryEntry::text).toList());
            assertThat(view.blocks().get(2).text()).isEqualTo(history);
            assertThat(view.blocks().get(5).text()).isEqualTo(" <...>\n\n");
            // nothing is written before pass 1; from then on the own step is there, last
            assertThat(view.blocks().get(7).text()).startsWith(pass == 1 ? "" : "**Alice [");
        }
        WorkerView latest = http.get().uri("/admin/runs/{id}/view/Bob", runId).exchange().expectStatus().isOk()
                .expectBody(WorkerView.class).returnResult().getResponseBody();
        assertThat(latest.lockstep()).isEqualTo(last);
        assertThat(latest.blocks().get(latest.blocks().size() - 1).name()).isEqualTo("step-bob");
        http.get().uri("/admin/runs/{id}/view/alice?lockstep=0", runId).exchange().expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.field").isEqualTo("lockstep");
        http.get().uri("/admin/runs/{id}/view/carol", runId).exchange().expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        http.get().uri("/admin/runs/no-such-run/view/alice").exchange().expectStatus().isNotFound();
    }

    /**
     * From the recorded block layouts: at the end of some step of each worker, its view held text written by the
     * other one, either the other's unfinished step or history beyond what the worker promoted itself.
     */
    private static void assertEachWorkerSawTheOther(List<RunEvent> events) {
        Map<String, String> other = Map.of("Alice", "Bob", "Bob", "Alice");
        Map<String, Integer> ownPromoted = new HashMap<>(Map.of("Alice", 0, "Bob", 0));
        Map<String, Boolean> saw = new HashMap<>(Map.of("Alice", false, "Bob", false));
        int historyLength = 0;
        for (RunEvent e : events) {
            if (e.data() instanceof StepPromoted promoted) {
                ownPromoted.merge(promoted.worker(), promoted.historyLength() - historyLength, Integer::sum);
                historyLength = promoted.historyLength();
            }
            if (e.data() instanceof StepFinished finished) {
                Map<String, Integer> view = new HashMap<>();
                List<String> order = new ArrayList<>();
                for (BlockExtent extent : finished.view()) {
                    view.put(extent.block(), extent.length());
                    order.add(extent.block());
                }
                String self = "step-" + finished.worker().toLowerCase();
                String theirs = "step-" + other.get(finished.worker()).toLowerCase();
                assertThat(order).as("combined view").containsExactly("prompt", "history-header", "history",
                        "others-header", theirs, "marker-" + other.get(finished.worker()).toLowerCase(), "own-header",
                        self);
                if (view.get(theirs) > 0 || view.get("history") > ownPromoted.get(finished.worker())) {
                    saw.put(finished.worker(), true);
                }
            }
        }
        assertThat(saw).as("each worker's view held the other's tokens").containsEntry("Alice", true)
                .containsEntry("Bob", true);
    }

    /**
     * Every finished step went into the one shared history, in promotion order, which grew with each; only the steps
     * that ended in the run's last pass were not (no pass wrote their last token).
     */
    private static void assertPromotionFilledTheSharedHistory(List<RunEvent> events, RunTranscript transcript) {
        List<StepPromoted> promotions = dataOf(events, StepPromoted.class);
        List<StepFinished> finished = dataOf(events, StepFinished.class);
        assertThat(promotions).hasSizeGreaterThanOrEqualTo(finished.size() - 2).hasSizeLessThanOrEqualTo(
                finished.size());
        assertThat(promotions).allSatisfy(p -> {
            assertThat(p.target()).isEqualTo("history");
            assertThat(p.source()).isEqualTo("step-" + p.worker().toLowerCase());
        });
        assertThat(promotions.stream().map(StepPromoted::historyLength).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(transcript.history()).extracting(HistoryEntry::worker).contains("Alice", "Bob");
        assertThat(transcript.history()).hasSize(promotions.size());
        for (int i = 0; i < promotions.size(); i++) {
            HistoryEntry entry = transcript.history().get(i);
            StepFinished finish = finished.stream().filter(f -> f.worker().equals(entry.worker())
                    && f.step() == entry.step()).findFirst().orElseThrow();
            assertThat(entry.text()).isEqualTo(finish.text()).startsWith("**" + entry.worker() + " [")
                    .endsWith("\n\n").doesNotEndWith("\n\n\n");
            assertThat(entry.worker()).isEqualTo(promotions.get(i).worker());
        }
        // A later step of a worker sees the history grown by earlier promotions.
        List<Integer> historyInViews = finished.stream()
                .map(CollaborativeRunEndToEndTest::historyOf).toList();
        assertThat(historyInViews).isSorted();
        assertThat(historyInViews.get(historyInViews.size() - 1)).isPositive();
        assertThat(transcript.workers()).allSatisfy(w -> {
            List<TranscriptStep> steps = w.steps();
            assertThat(steps.subList(0, steps.size() - 1)).allMatch(TranscriptStep::promoted);
        });
    }

    private static int historyOf(StepFinished stepFinished) {
        return stepFinished.view().stream().filter(extent -> "history".equals(extent.block()))
                .mapToInt(BlockExtent::length).findFirst()
                .orElseThrow(() -> new AssertionError("no history block in " + stepFinished));
    }

    /** The data of the events of one type, in order. */
    private static <T extends EventData> List<T> dataOf(List<RunEvent> events, Class<T> type) {
        return events.stream().map(RunEvent::data).filter(type::isInstance).map(type::cast).toList();
    }
}
