package io.hogwild.orchestrator.run;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.orchestrator.run.RunKeys.Field;
import io.hogwild.web.ApiException;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerTarget;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Starts and cancels runs. A run is recorded (QUEUED) before the GPU worker is asked for a session, so that whatever
 * happens next (worker full, unreachable, crash mid-run) is recorded against it rather than lost.
 */
@Service
public class RunService {

    private final RunStore store;
    private final SessionRecorder recorder;
    private final WorkerRegistry registry;
    private final GpuWorkerClient client;
    private final PromptRenderer renderer;
    private final PlanBuilder planBuilder;
    private final OrchestratorProperties properties;
    private final Clock clock;
    private final SecureRandom seeds = new SecureRandom();

    public RunService(RunStore store, SessionRecorder recorder, WorkerRegistry registry, GpuWorkerClient client,
                      PromptRenderer renderer, PlanBuilder planBuilder, OrchestratorProperties properties,
                      Clock clock) {
        this.store = store;
        this.recorder = recorder;
        this.registry = registry;
        this.client = client;
        this.renderer = renderer;
        this.planBuilder = planBuilder;
        this.properties = properties;
        this.clock = clock;
    }

    public Mono<RunView> create(RunRequest request) {
        RunSettings settings;
        try {
            validate(request);
            settings = properties.defaults().resolve(request, seeds.nextLong() & Long.MAX_VALUE);
        } catch (ApiException e) {
            return Mono.error(e);
        }
        return registry.select(request.model()).flatMap(worker -> {
            WorkerTarget target = new WorkerTarget(worker.workerId(), worker.url());
            return client.model(target).flatMap(model -> {
                String prompt = renderer.render(model, settings.problem(), settings.names(), settings.fewShot(),
                        settings.enableThinking());
                return client.tokenize(target, prompt)
                        .flatMap(count -> fitContext(model, settings, request.maxTokensPerWorker() != null,
                                count.count()))
                        .flatMap(fitted -> start(request, fitted, worker, target, model, prompt));
            });
        });
    }

    private Mono<RunView> start(RunRequest request, RunSettings settings, WorkerRegistration worker,
                                WorkerTarget target, ModelInfo model, String prompt) {
        String runId = UUID.randomUUID().toString();
        SessionPlan plan = planBuilder.build(runId, runId, prompt, settings);
        return store.create(runId, request, settings.layout(), settings.names(), model.id(), worker.workerId(),
                        worker.url(), plan, clock.instant())
                .then(client.createSession(target, plan))
                .flatMap(session -> {
                    String sessionId = session.sessionId() != null ? session.sessionId() : plan.sessionId();
                    Map<String, String> fields = new HashMap<>();
                    fields.put(Field.SESSION_ID, sessionId);
                    fields.put(Field.STARTED_AT, Long.toString(clock.millis()));
                    return store.transition(runId, java.util.List.of(RunStatus.QUEUED), RunStatus.RUNNING, fields)
                            .flatMap(moved -> moved
                                    ? store.append(runId, new EventData.RunStarted(worker.workerId(), sessionId))
                                            .then(recorder.attach(runId, target, sessionId, 0))
                                    // Cancelled while the session was being created: stop it again.
                                    : client.cancel(target, sessionId).onErrorResume(e -> Mono.empty()));
                })
                .onErrorResume(ApiException.class, e -> recorder.fail(runId, e.getMessage())
                        .then(Mono.error(e.with("run_id", runId))))
                .then(store.view(runId));
    }

    public Mono<RunView> get(String runId) {
        return store.view(runId).switchIfEmpty(Mono.error(() -> ApiException.notFound("no run " + runId)));
    }

    /**
     * Cancels an active run: asks its GPU worker to stop (the run becomes CANCELLED when the worker's
     * SESSION_FINISHED arrives); a run without a reachable session is cancelled right here.
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
                    if (status == RunStatus.QUEUED || sessionId == null || url == null) {
                        return requested.then(cancelHere(runId, "cancelled before the session started"));
                    }
                    WorkerTarget target = new WorkerTarget(f.get(Field.GPU_WORKER), url);
                    return requested.then(client.cancel(target, sessionId)
                            .onErrorResume(e -> cancelHere(runId, "cancelled; the GPU worker could not be told: "
                                    + e.getMessage())));
                })
                .then(Mono.defer(() -> store.view(runId)));
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

    /**
     * The prompt must fit the model's context with room for the work (see {@link ContextBudget}). A budget the caller
     * chose must fit; without one, the configured default is lowered to the largest budget that fits, so that a plain
     * request works on a small model too.
     */
    private Mono<RunSettings> fitContext(ModelInfo model, RunSettings settings, boolean budgetChosen,
                                         int promptTokens) {
        int context = model.contextLimit();
        if (context <= 0) {
            return Mono.just(settings);
        }
        if (promptTokens >= context) {
            return Mono.error(ApiException.badRequest("problem", "the problem with the collaboration prompt is "
                    + promptTokens + " tokens, more than the model's context of " + context + " tokens"));
        }
        boolean shared = settings.layout() == Layout.COMBINED || settings.layout() == Layout.INTERLEAVED;
        int workers = settings.names().size();
        ContextBudget budget = new ContextBudget(context, promptTokens, settings.finisherTokens(),
                shared ? workers : 1);
        int fitting = budget.largestFitting();
        if (budgetChosen) {
            long needed = budget.needed(settings.maxTokensPerWorker());
            if (needed > context) {
                return Mono.error(ApiException.badRequest("max_tokens_per_worker", "with a prompt of " + promptTokens
                        + " tokens, " + workers + " worker(s) at " + settings.maxTokensPerWorker()
                        + " tokens each would need about " + needed + " tokens of context; the model has " + context
                        + (fitting > 0 ? " (at most " + fitting + " tokens per worker fit)" : "")));
            }
            return Mono.just(settings);
        }
        if (fitting < 1) {
            return Mono.error(ApiException.badRequest("problem", "the problem with the collaboration prompt is "
                    + promptTokens + " tokens, which leaves " + workers + " worker(s) no room to write in the "
                    + "model's context of " + context + " tokens; use fewer workers or a shorter problem"));
        }
        return Mono.just(settings.withMaxTokensPerWorker(Math.min(settings.maxTokensPerWorker(), fitting)));
    }
}
