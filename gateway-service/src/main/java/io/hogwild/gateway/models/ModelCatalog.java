package io.hogwild.gateway.models;

import io.hogwild.gateway.orchestrator.OrchestratorClient;
import io.hogwild.web.ApiException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The models the live GPU workers serve, from the orchestrator's worker registry ({@code GET /admin/workers}, called
 * by the gateway itself; clients need no admin key).
 */
@Component
public class ModelCatalog {

    /** A served model: how many GPU workers serve it and how many sessions they can still take. */
    public record ServedModel(String id, int gpuWorkers, int freeSessions) {}

    private final OrchestratorClient orchestrator;

    public ModelCatalog(OrchestratorClient orchestrator) {
        this.orchestrator = orchestrator;
    }

    /** Every served model, by id. */
    public Mono<List<ServedModel>> served() {
        return orchestrator.workers().map(workers -> {
            Map<String, int[]> byModel = new TreeMap<>();
            for (OrchestratorClient.WorkerEntry w : workers) {
                if (w.registration() == null || w.registration().modelId() == null) {
                    continue;
                }
                int[] counts = byModel.computeIfAbsent(w.registration().modelId(), id -> new int[2]);
                counts[0]++;
                counts[1] += Math.max(0, w.registration().maxSessions() - w.registration().activeSessions());
            }
            return byModel.entrySet().stream()
                    .map(e -> new ServedModel(e.getKey(), e.getValue()[0], e.getValue()[1]))
                    .toList();
        });
    }

    /**
     * Completes when {@code modelId} is served; errors with 404 {@code model-not-found} when GPU workers are up but
     * none serves it, so that a client does not retry a typo forever. With no GPU worker up at all the run is left to
     * the orchestrator's 503, since any model may come back.
     */
    public Mono<Void> requireServed(String modelId) {
        return served().flatMap(models -> models.isEmpty() || models.stream().anyMatch(m -> m.id().equals(modelId))
                ? Mono.empty()
                : Mono.error(notFound(modelId)));
    }

    static ApiException notFound(String modelId) {
        return new ApiException(HttpStatus.NOT_FOUND, "model-not-found", "Model not found", "The model '" + modelId
                + "' does not exist or no GPU worker serves it; GET /v1/models lists the models served.")
                .atField("model");
    }
}
