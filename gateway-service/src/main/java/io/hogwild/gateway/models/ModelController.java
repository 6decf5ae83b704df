package io.hogwild.gateway.models;

import io.hogwild.gateway.orchestrator.OrchestratorClient;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/models} in OpenAI's list format: the models the live GPU workers serve, read from the orchestrator's
 * worker registry ({@code GET /admin/workers}, called by the gateway itself; clients need no admin key).
 */
@RestController
@Tag(name = "models")
public class ModelController {

    /** OpenAI's model object; {@code created} is unknown for a served checkpoint and given as 0. */
    public record Model(String id, String object, long created, String ownedBy, HogwildModel hogwild) {}

    /** How many GPU workers serve the model and how many sessions they can still take. */
    public record HogwildModel(int gpuWorkers, int freeSessions) {}

    public record ModelList(String object, List<Model> data) {}

    private final OrchestratorClient orchestrator;

    public ModelController(OrchestratorClient orchestrator) {
        this.orchestrator = orchestrator;
    }

    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Models served by the live GPU workers (OpenAI list format)")
    public Mono<ModelList> models() {
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
            List<Model> data = byModel.entrySet().stream()
                    .map(e -> new Model(e.getKey(), "model", 0, "hogwild",
                            new HogwildModel(e.getValue()[0], e.getValue()[1])))
                    .toList();
            return new ModelList("list", data);
        });
    }
}
