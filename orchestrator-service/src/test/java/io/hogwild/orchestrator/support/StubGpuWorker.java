package io.hogwild.orchestrator.support;

import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.contracts.worker.RegistryKeys;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.testing.redis.TestRedis;
import io.hogwild.web.ServiceJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real local HTTP server that stands in for a GPU worker where a test needs one to misbehave on purpose: be full,
 * drop connections, break an event stream, or disappear. It speaks the worker API's wire format (snake_case JSON,
 * NDJSON events), and the test drives the events of a session by hand. Runs that must be real use the real
 * gpu-worker-service (see the end-to-end test).
 */
public final class StubGpuWorker implements AutoCloseable {

    public enum Mode { ACCEPT, FULL, DROP_CONNECTIONS }

    public static final JsonMapper JSON = ServiceJson.mapper();
    /** The registry the orchestrator reads by default. */
    public static final RegistryKeys REGISTRY = new RegistryKeys("hogwild:workers:");

    private static final String CHATML = "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}"
            + "{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    private final String id;
    private final DisposableServer server;
    private volatile Mode mode = Mode.ACCEPT;
    private volatile int contextLimit = 4096;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger cancels = new AtomicInteger();
    private final AtomicInteger sessionRequests = new AtomicInteger();
    private final Map<String, Sinks.Many<SessionEvent>> sessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();
    private volatile SessionPlan lastPlan;
    /** The last plan of each run (a run of an earlier test may be resumed here too, so lastPlan is not always ours). */
    private final Map<String, SessionPlan> planByRun = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<reactor.netty.Connection> open = ConcurrentHashMap.newKeySet();

    public StubGpuWorker(String id) {
        this.id = id;
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .doOnConnection(connection -> {
                    requests.incrementAndGet();
                    open.add(connection);
                    connection.onDispose(() -> open.remove(connection));
                    if (mode == Mode.DROP_CONNECTIONS) {
                        connection.dispose();
                    }
                })
                .route(routes -> routes
                        .get("/v1/model", (req, res) -> json(res, 200, new ModelInfo("stub-model", "Qwen3ForCausalLM",
                                contextLimit, 512, CHATML, Map.of("eos_token", "<|im_end|>"), null)))
                        .post("/v1/tokenize", (req, res) -> req.receive().aggregate().asString().flatMap(body -> {
                            String text = JSON.readTree(body).get("text").asString();
                            // About four characters a token: all the orchestrator needs is a count.
                            return Mono.just(Map.of("ids", List.of(), "count", text.length() / 4));
                        }).flatMap(answer -> json(res, 200, answer).then()))
                        .post("/v1/sessions", (req, res) -> req.receive().aggregate().asString().flatMap(body -> {
                            sessionRequests.incrementAndGet();
                            if (mode == Mode.FULL) {
                                return res.status(503).header("Retry-After", "7")
                                        .header("Content-Type", "application/problem+json")
                                        .sendString(Mono.just("{\"title\":\"Session limit reached\",\"status\":503,"
                                                + "\"detail\":\"all 2 session slots are busy\"}")).then();
                            }
                            SessionPlan plan = JSON.readValue(body, SessionPlan.class);
                            lastPlan = plan;
                            planByRun.put(plan.runId(), plan);
                            sessions.put(plan.sessionId(), Sinks.many().replay().all());
                            seqs.put(plan.sessionId(), new AtomicLong());
                            return json(res, 201, new SessionStatus(plan.sessionId(), plan.runId(),
                                    SessionState.PREFILLING, 0, List.of(), 0, 0, null, null, 0)).then();
                        }))
                        .get("/v1/sessions/{id}/events", (req, res) -> {
                            Sinks.Many<SessionEvent> sink = sessions.get(req.param("id"));
                            if (sink == null) {
                                return res.status(404).send();
                            }
                            List<String> afterParam = new io.netty.handler.codec.http.QueryStringDecoder(req.uri())
                                    .parameters().getOrDefault("after", List.of("0"));
                            long after = Long.parseLong(afterParam.get(0));
                            Flux<String> lines = sink.asFlux().filter(e -> e.seq() > after)
                                    .takeUntil(e -> e.data() instanceof EventData.SessionFinished)
                                    .map(e -> JSON.writeValueAsString(e) + "\n");
                            return res.header("Content-Type", "application/x-ndjson")
                                    .sendString(lines, StandardCharsets.UTF_8).then();
                        })
                        .post("/v1/sessions/{id}/cancel", (req, res) -> {
                            cancels.incrementAndGet();
                            String session = req.param("id");
                            emit(session, new EventData.SessionFinished("cancelled", 0, 0, null, List.of(), false));
                            return res.status(202).send();
                        }))
                .bindNow();
    }

    /**
     * A test client for the orchestrator (or a GPU worker) on {@code port} that reads and writes the services'
     * snake_case JSON and carries the tests' service credential.
     */
    public static org.springframework.test.web.reactive.server.WebTestClient client(int port) {
        return org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", io.hogwild.testing.ServiceCredentials.bearer())
                .responseTimeout(java.time.Duration.ofSeconds(60))
                .codecs(codecs -> {
                    codecs.defaultCodecs().jacksonJsonDecoder(
                            new org.springframework.http.codec.json.JacksonJsonDecoder(JSON));
                    codecs.defaultCodecs().jacksonJsonEncoder(
                            new org.springframework.http.codec.json.JacksonJsonEncoder(JSON));
                    codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024);
                })
                .build();
    }

    public String id() {
        return id;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    public void contextLimit(int tokens) {
        this.contextLimit = tokens;
    }

    /** Connections accepted so far (each call the orchestrator makes opens or reuses one). */
    public int connections() {
        return requests.get();
    }

    public int cancels() {
        return cancels.get();
    }

    /** Session creations asked for so far (accepted or refused). */
    public int sessionRequests() {
        return sessionRequests.get();
    }

    /** The last plan this worker was given for {@code runId}. */
    public SessionPlan planOf(String runId) {
        return planByRun.get(runId);
    }

    public SessionPlan lastPlan() {
        return lastPlan;
    }

    /** Publishes a session event (seq assigned here) to current and future readers of the session's stream. */
    public void emit(String session, EventData data) {
        long seq = seqs.get(session).incrementAndGet();
        sessions.get(session).tryEmitNext(new SessionEvent(session, seq, System.currentTimeMillis(), seq, data));
    }

    /** Breaks every open event stream, as a crashing worker process would. */
    public void crash() {
        mode = Mode.DROP_CONNECTIONS;
        // Cut open streams mid-response (as a dying process does), then stop listening: reconnects are refused.
        open.forEach(reactor.netty.Connection::dispose);
        server.disposeNow(java.time.Duration.ofSeconds(1));
    }

    /** Writes (or refreshes) this worker's registration, as its heartbeat would. */
    public void register(TestRedis redis, int maxSessions, int activeSessions) {
        announce(redis, new WorkerRegistration(id, url(), "stub-model", maxSessions, activeSessions, 1L << 30,
                System.currentTimeMillis(), false));
    }

    public void unregister(TestRedis redis) {
        unregister(redis, id);
    }

    /** Removes a registration from the default registry, as a worker's orderly shutdown does. */
    public static void unregister(TestRedis redis, String workerId) {
        redis.command("DEL", REGISTRY.worker(workerId));
        redis.command("ZREM", REGISTRY.index(), workerId);
    }

    /** Writes a registration in the default registry as a GPU worker's heartbeat does: its key, then the index. */
    public static void announce(TestRedis redis, WorkerRegistration registration) {
        redis.command("SET", REGISTRY.worker(registration.workerId()), JSON.writeValueAsString(registration),
                "EX", "60");
        redis.command("ZADD", REGISTRY.index(), Long.toString(registration.heartbeatAtMillis()),
                registration.workerId());
    }

    private static Mono<Void> json(reactor.netty.http.server.HttpServerResponse res, int status, Object body) {
        return res.status(status).header("Content-Type", "application/json")
                .sendString(Mono.just(JSON.writeValueAsString(body))).then();
    }

    @Override
    public void close() {
        if (!server.isDisposed()) {
            server.disposeNow();
        }
    }
}
