package io.hogwild.orchestrator.run;

import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.run.RunKeys.Field;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerResilience;
import io.hogwild.orchestrator.workers.WorkerTarget;
import io.hogwild.web.ApiException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Accepts, reads and cancels runs. A valid run is recorded and queued in one step (202 QUEUED) whenever the queue has
 * room, whether or not a GPU worker is free: {@link RunDispatcher} starts it when one is. When a worker serving the
 * model is registered, the prompt is checked against the model's context right away, so such a mistake is a 400 and
 * not a failed run later.
 */
@Service
public class RunService {

    private static final Logger log = LoggerFactory.getLogger(RunService.class);
    private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final RunStore store;
    private final RunQueue queue;
    private final RunPlanner planner;
    private final SessionRecorder recorder;
    private final DispatchTrigger dispatch;
    private final WorkerRegistry registry;
    private final WorkerResilience resilience;
    private final GpuWorkerClient client;
    private final OrchestratorProperties properties;
    private final Clock clock;
    private final SecureRandom seeds = new SecureRandom();

    public RunService(RunStore store, RunQueue queue, RunPlanner planner, SessionRecorder recorder,
                      DispatchTrigger dispatch, WorkerRegistry registry, WorkerResilience resilience,
                      GpuWorkerClient client, OrchestratorProperties properties, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.planner = planner;
        this.recorder = recorder;
        this.dispatch = dispatch;
        this.registry = registry;
        this.resilience = resilience;
        this.client = client;
        this.properties = properties;
        this.clock = clock;
    }

    /** Validates, plans when a worker can help, and queues the run under {@code clientName} (null = the default). */
    public Mono<RunView> create(RunRequest request, String clientName) {
        long seed = request.seed() != null ? request.seed() : seeds.nextLong() & Long.MAX_VALUE;
        RunSettings settings;
        String client;
        try {
            validate(request);
            client = client(clientName);
            settings = properties.defaults().resolve(request, seed);
        } catch (ApiException e) {
            return Mono.error(e);
        }
        String runId = UUID.randomUUID().toString();
        return planIfPossible(runId, request.model(), settings, request.maxTokensPerWorker() != null)
                .map(planned -> new RunStore.NewRun(runId, request, settings.layout(), settings.names(),
                        planned.model(), planned.plan(), seed, client, clock.instant()))
                .defaultIfEmpty(new RunStore.NewRun(runId, request, settings.layout(), settings.names(),
                        request.model(), null, seed, client, clock.instant()))
                .flatMap(run -> store.enqueue(queue.keys(), run, properties.queue().maxDepth()))
                .flatMap(enqueued -> enqueued.accepted()
                        ? Mono.fromRunnable(dispatch::poke).then(get(runId))
                        : queue.retryAfter(enqueued.depth()).flatMap(wait -> Mono.error(new ApiException(
                                HttpStatus.TOO_MANY_REQUESTS, "queue-full", "Queue full", "the run queue holds "
                                + enqueued.depth() + " runs, its limit; try again later", wait, null)
                                .with("queue_depth", enqueued.depth())
                                .with("max_queue_depth", properties.queue().maxDepth()))));
    }

    /**
     * The plan built with a registered worker that serves the model (one with free slots first); empty when there is
     * none or it cannot be asked right now: the run is then planned when it is dispatched.
     */
    private Mono<RunPlanner.Planned> planIfPossible(String runId, String model, RunSettings settings,
                                                    boolean budgetChosen) {
        return registry.live()
                .filter(w -> model == null || model.equals(w.modelId()))
                .filter(w -> resilience.circuitBreaker(w.workerId()).getState() != CircuitBreaker.State.OPEN)
                .collectList()
                .flatMap(workers -> workers.stream()
                        .max(Comparator.<WorkerRegistration>comparingInt(w -> w.maxSessions() - w.activeSessions()))
                        .map(Mono::just).orElseGet(Mono::empty))
                .flatMap(worker -> planner.plan(runId, settings, worker, budgetChosen)
                        .onErrorResume(e -> !(e instanceof ApiException api) || api.status().value() != 400, e -> {
                            log.info("run {}: could not check its prompt with GPU worker {} now ({}); it is "
                                    + "checked when dispatched", runId, worker.workerId(), e.getMessage());
                            return Mono.empty();
                        }));
    }

    private String client(String name) {
        if (name == null || name.isBlank()) {
            return properties.queue().defaultClient();
        }
        String trimmed = name.strip();
        if (!CLIENT_NAME.matcher(trimmed).matches()) {
            throw ApiException.badRequest("X-Hogwild-Client", "the client name must be 1-64 characters of "
                    + "A-Z a-z 0-9 . _ @ -");
        }
        return trimmed;
    }

    /** The run, with its queue position while it is queued. */
    public Mono<RunView> get(String runId) {
        return store.view(runId)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("no run " + runId)))
                .flatMap(this::withPosition);
    }

    Mono<RunView> withPosition(RunView run) {
        if (run.status() != RunStatus.QUEUED || run.client() == null) {
            return Mono.just(run);
        }
        return queue.position(run.runId(), run.client()).map(run::withQueuePosition).defaultIfEmpty(run);
    }

    /**
     * Cancels an active run: a queued one leaves the queue and is CANCELLED at once; a running one's GPU worker is
     * asked to stop (the run becomes CANCELLED when the worker's SESSION_FINISHED arrives), and a run without a
     * reachable session is cancelled right here.
     */
    public Mono<RunView> cancel(String runId) {
        return store.fields(runId)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("no run " + runId)))
                .flatMap(f -> {
                    RunStatus status = RunStatus.valueOf(f.get(Field.STATUS));
                    if (RunStates.isFinal(status)) {
                        return Mono.error(ApiException.conflict("run " + runId + " already ended: " + status)
                                .with("status", status.name()));
                    }
                    Mono<Void> requested = store.append(runId, new EventData.CancelRequested()).then();
                    String sessionId = f.get(Field.SESSION_ID);
                    String url = f.get(Field.GPU_WORKER_URL);
                    if (status == RunStatus.QUEUED) {
                        // Status first: should the dequeue not happen, the claim script skips the cancelled run.
                        return requested.then(cancelHere(runId, "cancelled while queued"))
                                .then(queue.remove(runId, f.getOrDefault(Field.CLIENT,
                                        properties.queue().defaultClient())));
                    }
                    if (sessionId == null || url == null) {
                        return requested.then(cancelHere(runId, "cancelled before the session started"));
                    }
                    WorkerTarget target = new WorkerTarget(f.get(Field.GPU_WORKER), url);
                    return requested.then(client.cancel(target, sessionId)
                            .onErrorResume(e -> cancelHere(runId, "cancelled; the GPU worker could not be told: "
                                    + e.getMessage())));
                })
                .then(Mono.defer(() -> get(runId)));
    }

    private Mono<Void> cancelHere(String runId, String note) {
        recorder.detach(runId);
        Map<String, String> fields = new HashMap<>();
        fields.put(Field.FINISHED_AT, Long.toString(clock.millis()));
        fields.put(Field.FINISH_REASON, "cancelled");
        fields.put("cancel_note", note);
        return recorder.end(runId, RunStatus.CANCELLED, fields);
    }

    /** Checks beyond the record's annotations: consistency between fields and the configured limits. */
    void validate(RunRequest request) {
        OrchestratorProperties.Limits limits = properties.limits();
        if (request.problem() == null || request.problem().isBlank()) {
            throw ApiException.badRequest("problem", "problem must not be empty");
        }
        if (request.problem().length() > limits.maxProblemChars()) {
            throw ApiException.badRequest("problem", "problem is " + request.problem().length()
                    + " characters; at most " + limits.maxProblemChars() + " are accepted");
        }
        Layout layout = request.layout() != null ? request.layout() : properties.defaults().layout();
        if (request.workers() != null) {
            if (request.workers() < 1 || request.workers() > limits.maxWorkers()) {
                throw ApiException.badRequest("workers", "workers must be between 1 and " + limits.maxWorkers()
                        + ", not " + request.workers());
            }
            if (layout == Layout.SINGLE && request.workers() != 1) {
                throw ApiException.badRequest("workers", "the single layout runs exactly one worker, not "
                        + request.workers());
            }
        }
        if (request.maxTokensPerWorker() != null
                && (request.maxTokensPerWorker() < 1 || request.maxTokensPerWorker() > limits.maxTokensPerWorker())) {
            throw ApiException.badRequest("max_tokens_per_worker", "max_tokens_per_worker must be between 1 and "
                    + limits.maxTokensPerWorker() + ", not " + request.maxTokensPerWorker());
        }
    }
}
