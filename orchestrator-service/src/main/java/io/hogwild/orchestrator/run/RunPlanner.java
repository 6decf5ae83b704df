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
 * the worker's tokenizer counts it, and the budgets must fit the model's context (a 400 naming the field otherwise;
 * a default budget is lowered to fit).
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

    /**
     * @param budgetChosen whether the caller set the budget per worker (it must fit) or it is the default (lowered to
     *     what fits)
     */
    public Mono<Planned> plan(String runId, RunSettings settings, WorkerRegistration worker, boolean budgetChosen) {
        WorkerTarget target = new WorkerTarget(worker.workerId(), worker.url());
        return model(worker, target).flatMap(model -> {
            String prompt = renderer.render(model, settings.problem(), settings.names(), settings.layout(),
                    settings.fewShot(), settings.enableThinking());
            return client.tokenize(target, prompt)
                    .flatMap(count -> fitContext(model, settings, budgetChosen, count.count()))
                    .map(fitted -> new Planned(model.id(), planBuilder.build(runId, runId, prompt,
                            List.of(PromptTexts.problemSpan(prompt, settings.problem())), fitted)));
        });
    }

    private Mono<ModelInfo> model(WorkerRegistration worker, WorkerTarget target) {
        String key = worker.workerId() + "|" + worker.url() + "|" + worker.modelId();
        ModelInfo cached = models.get(key);
        return cached != null ? Mono.just(cached) : client.model(target).doOnNext(model -> models.put(key, model));
    }

    /**
     * The prompt must fit the model's context with room for the work (see {@link ContextBudget}). A budget the caller
     * chose must fit; without one, the configured default is lowered to the largest budget that fits, so that a plain
     * request works on a small model too.
     */
    private static Mono<RunSettings> fitContext(ModelInfo model, RunSettings settings, boolean budgetChosen,
                                                int promptTokens) {
        int context = model.contextLimit();
        if (context <= 0) {
            return Mono.just(settings);
        }
        if (promptTokens >= context) {
            return Mono.error(ApiException.badRequest("problem", "the problem with the collaboration prompt is "
                    + promptTokens + " tokens, more than the model's context of " + context + " tokens"));
        }
        boolean shared = settings.layout() != Layout.INDEPENDENT && settings.layout() != Layout.SINGLE;
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
