package io.hogwild.gateway.runs;

import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunView;
import io.hogwild.gateway.models.ModelCatalog;
import io.hogwild.gateway.orchestrator.OrchestratorClient;
import io.hogwild.gateway.orchestrator.UpstreamProblemException;
import io.hogwild.gateway.security.ApiPrincipal;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runs on behalf of an API key: created through the orchestrator, owned by the key, visible only to it and admins. */
@Service
public class RunService {

    private static final Logger log = LoggerFactory.getLogger(RunService.class);

    private final OrchestratorClient orchestrator;
    private final RunOwners owners;
    private final ModelCatalog models;
    private final MeterRegistry meters;

    public RunService(OrchestratorClient orchestrator, RunOwners owners, ModelCatalog models, MeterRegistry meters) {
        this.orchestrator = orchestrator;
        this.owners = owners;
        this.models = models;
        this.meters = meters;
    }

    /**
     * Queues a run in the owner's name (the orchestrator's queue is fair across key names) and records its owner. A run
     * the orchestrator recorded although the request failed (its problem names {@code run_id}, e.g. the GPU worker
     * refused it) is owned too, so its creator can look at what happened. A model no GPU worker serves is a 404 before
     * the orchestrator is asked.
     */
    public Mono<RunView> create(RunRequest request, ApiPrincipal owner, String api) {
        Mono<Void> modelServed = request.model() == null ? Mono.empty() : models.requireServed(request.model());
        return modelServed.then(Mono.defer(() -> orchestrator.createRun(request, owner.name())))
                .flatMap(run -> owners.record(run.runId(), owner).thenReturn(run))
                .doOnNext(run -> {
                    // Not ".created": Prometheus reserves the _created suffix and would drop it.
                    meters.counter("hogwild.gateway.runs.accepted", "api", api).increment();
                    log.info("run {} created by {} ({} workers, {})", run.runId(), owner.name(),
                            run.workers().size(), run.layout());
                })
                .onErrorResume(UpstreamProblemException.class, e -> e.runId() == null ? Mono.error(e)
                        : owners.record(e.runId(), owner).onErrorResume(x -> Mono.empty()).then(Mono.error(e)));
    }

    public Mono<RunView> get(String runId, ApiPrincipal principal) {
        return owners.checkAccess(runId, principal).then(orchestrator.run(runId));
    }

    public Mono<RunView> cancel(String runId, ApiPrincipal principal) {
        return owners.checkAccess(runId, principal).then(orchestrator.cancel(runId))
                .doOnNext(run -> log.info("run {} cancel requested by {}", runId, principal.name()));
    }

    /** The run's event stream, opened once access is checked and the orchestrator answered. */
    public Mono<Flux<ServerSentEvent<String>>> events(String runId, String lastEventId, ApiPrincipal principal) {
        return owners.checkAccess(runId, principal).then(orchestrator.events(runId, lastEventId));
    }
}
