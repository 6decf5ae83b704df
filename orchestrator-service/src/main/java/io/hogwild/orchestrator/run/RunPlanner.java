package io.hogwild.orchestrator.run;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.workers.GpuWorkerClient;
import io.hogwild.orchestrator.workers.WorkerTarget;
import io.hogwild.web.ApiException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Builds a run's session plan with a GPU worker's help: the model's chat template renders the collaboration prompt,
 * the worker's tokenizer counts it, and the budgets must fit the model's context (a 400 naming the field otherwise).
 * Used when a run is accepted (if a worker for its model is registered) and when it is dispatched (if it has no plan
 * yet). Model descriptions are cached per worker process, since a worker serves one model for its lifetime.
 */
@Component
public class RunPlanner {

    /** A plan and the model it was built for. */
    public record Planned(String model, SessionPlan plan) {}

    private final GpuWorkerClient client;
    private final PromptRenderer renderer;
    private final PlanBuilder planBuilder;
    private final Map<String, ModelInfo> models = new ConcurrentHashMap<>();

    public RunPlanner(GpuWorkerClient client, PromptRenderer renderer, PlanBuilder planBuilder) {
        this.client = client;
        this.renderer = renderer;
        this.planBuilder = planBuilder;
    }

    public Mono<Planned> plan(String runId, RunSettings settings, WorkerRegistration worker) {
        WorkerTarget target = new WorkerTarget(worker.workerId(), worker.url());
        return model(worker, target).flatMap(model -> {
            String prompt = renderer.render(model, settings.problem(), settings.names(), settings.layout(),
                    settings.fewShot(), settings.enableThinking());
            return client.tokenize(target, prompt)
                    .flatMap(count -> checkContext(model, settings, count.count()))
                    .then(Mono.fromSupplier(() -> new Planned(model.id(),
                            planBuilder.build(runId, runId, prompt,
                            List.of(PromptTexts.problemSpan(prompt, settings.problem())), settings))));
        });
    }

    private Mono<ModelInfo> model(WorkerRegistration worker, WorkerTarget target) {
        String key = worker.workerId() + "|" + worker.url() + "|" + worker.modelId();
        ModelInfo cached = models.get(key);
        return cached != null ? Mono.just(cached) : client.model(target).doOnNext(model -> models.put(key, model));
    }

    /**
     * The prompt must fit the model's context with room for the work: every worker's view holds the prompt plus (in
     * the layouts that share steps: contiguous, interleaved, combined) every worker's steps, step prefixes and
     * self-checks; the finisher reads all of it once more.
     */
    private static Mono<Void> checkContext(ModelInfo model, RunSettings settings, int promptTokens) {
        int context = model.contextLimit();
        if (context <= 0) {
            return Mono.empty();
        }
        if (promptTokens >= context) {
            return Mono.error(ApiException.badRequest("problem", "the problem with the collaboration prompt is "
                    + promptTokens + " tokens, more than the model's context of " + context + " tokens"));
        }
        int perWorker = settings.maxTokensPerWorker() + settings.finisherTokens() + 64
                + settings.maxTokensPerWorker() / 8;
        boolean shared = settings.layout() != Layout.INDEPENDENT && settings.layout() != Layout.SINGLE;
        long needed = promptTokens + 64L + (long) perWorker * (shared ? settings.names().size() : 1);
        if (needed > context) {
            return Mono.error(ApiException.badRequest("max_tokens_per_worker", "with a prompt of " + promptTokens
                    + " tokens, " + settings.names().size() + " worker(s) at " + settings.maxTokensPerWorker()
                    + " tokens each would need about " + needed + " tokens of context; the model has " + context));
        }
        return Mono.empty();
    }
}
