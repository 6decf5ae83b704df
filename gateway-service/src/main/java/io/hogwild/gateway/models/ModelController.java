package io.hogwild.gateway.models;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's format: the models the live GPU workers serve. */
@RestController
@Tag(name = "models", description = "OpenAI-compatible model list (errors in OpenAI's shape)")
public class ModelController {

    /** OpenAI's model object; {@code created} is unknown for a served checkpoint and given as 0. */
    public record Model(String id, String object, long created, String ownedBy, HogwildModel hogwild) {

        static Model of(ModelCatalog.ServedModel served) {
            return new Model(served.id(), "model", 0, "hogwild",
                    new HogwildModel(served.gpuWorkers(), served.freeSessions()));
        }
    }

    /** How many GPU workers serve the model and how many sessions they can still take. */
    public record HogwildModel(int gpuWorkers, int freeSessions) {}

    public record ModelList(String object, List<Model> data) {}

    private final ModelCatalog catalog;

    public ModelController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Models served by the live GPU workers (OpenAI list format)")
    public Mono<ModelList> models() {
        return catalog.served().map(models -> new ModelList("list", models.stream().map(Model::of).toList()));
    }

    @GetMapping(path = "/v1/models/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One served model; 404 model_not_found otherwise")
    public Mono<Model> model(@PathVariable String id) {
        return catalog.served().flatMap(models -> models.stream().filter(m -> m.id().equals(id)).findFirst()
                .map(m -> Mono.just(Model.of(m)))
                .orElseGet(() -> Mono.error(ModelCatalog.notFound(id))));
    }
}
