package io.hogwild.orchestrator.admin;

import io.hogwild.collaboration.view.ViewRebuilder;
import io.hogwild.contracts.run.RunDetail;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunPage;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.WorkerTranscript;
import io.hogwild.contracts.run.WorkerView;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.orchestrator.run.EventIds;
import io.hogwild.orchestrator.run.RunQueue;
import io.hogwild.orchestrator.run.RunStore;
import io.hogwild.orchestrator.run.TranscriptBuilder;
import io.hogwild.orchestrator.workers.WorkerRegistry;
import io.hogwild.orchestrator.workers.WorkerResilience;
import io.hogwild.web.ApiException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Inspection of runs for people debugging them (see API.md): everything is read from Redis. */
@RestController
@RequestMapping("/admin")
public class AdminController {

    private static final int MAX_PAGE_SIZE = 200;

    private final RunStore store;
    private final RunQueue queue;
    private final WorkerRegistry registry;
    private final WorkerResilience resilience;

    public AdminController(RunStore store, RunQueue queue, WorkerRegistry registry, WorkerResilience resilience) {
        this.store = store;
        this.queue = queue;
        this.registry = registry;
        this.resilience = resilience;
    }

    @GetMapping("/runs")
    public Mono<RunPage> list(@RequestParam(required = false) String status,
                              @RequestParam(defaultValue = "0") int page,
                              @RequestParam(defaultValue = "20") int size) {
        if (page < 0) {
            return Mono.error(ApiException.badRequest("page", "page must be 0 or more"));
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            return Mono.error(ApiException.badRequest("size", "size must be between 1 and " + MAX_PAGE_SIZE));
        }
        RunStatus filter = null;
        if (status != null && !status.isBlank()) {
            try {
                filter = RunStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Mono.error(ApiException.badRequest("status", "unknown status '" + status
                        + "'; expected one of " + Arrays.stream(RunStatus.values()).map(Enum::name)
                        .collect(Collectors.joining(", "))));
            }
        }
        return store.list(filter, page, size);
    }

    @GetMapping("/runs/{runId}")
    public Mono<RunDetail> run(@PathVariable String runId) {
        return store.detail(runId).switchIfEmpty(notFound(runId));
    }

    @GetMapping("/runs/{runId}/transcript")
    public Mono<RunTranscript> transcript(@PathVariable String runId) {
        return store.view(runId).switchIfEmpty(notFound(runId)).flatMap(run -> store.allEvents(runId).collectList()
                .map(events -> TranscriptBuilder.build(runId, run.status(), run.workers(), events,
                        run.finalAnswer())));
    }

    @GetMapping("/runs/{runId}/transcript/{worker}")
    public Mono<WorkerTranscript> workerTranscript(@PathVariable String runId, @PathVariable String worker) {
        return transcript(runId).flatMap(t -> t.workers().stream()
                .filter(w -> w.worker().equalsIgnoreCase(worker))
                .findFirst()
                .map(Mono::just)
                .orElseGet(() -> Mono.error(ApiException.notFound("run " + runId + " has no worker '" + worker
                        + "'; its workers are " + t.workers().stream().map(WorkerTranscript::worker).toList()))));
    }

    /**
     * Exactly what one worker read at the start of lockstep pass {@code lockstep} (the last pass when omitted),
     * rebuilt from the run's plan and event log by the collaboration module's {@link ViewRebuilder}.
     */
    @GetMapping("/runs/{runId}/view/{worker}")
    public Mono<WorkerView> view(@PathVariable String runId, @PathVariable String worker,
                                 @RequestParam(required = false) Long lockstep) {
        return store.detail(runId).switchIfEmpty(notFound(runId)).flatMap(detail -> {
            SessionPlan plan = detail.plan();
            if (plan == null) {
                return Mono.error(ApiException.conflict("run " + runId + " has no session plan yet"));
            }
            List<String> names = plan.workers().stream().map(WorkerSpec::name).toList();
            String name = names.stream().filter(n -> n.equalsIgnoreCase(worker)).findFirst().orElse(null);
            if (name == null) {
                return Mono.error(ApiException.notFound("run " + runId + " has no worker '" + worker
                        + "'; its workers are " + names));
            }
            return store.allEvents(runId).mapNotNull(RunEvent::data).collectList().flatMap(events -> {
                long last = ViewRebuilder.lastPass(events);
                if (last == 0) {
                    return Mono.error(ApiException.conflict("run " + runId + " has not run a lockstep pass yet"));
                }
                long pass = lockstep == null ? last : lockstep;
                if (pass < 1 || pass > last) {
                    return Mono.error(ApiException.badRequest("lockstep", "lockstep must be between 1 and "
                            + last + " (the passes run so far), not " + pass));
                }
                // Replaying a long log is CPU work: off the event loop.
                return Mono.fromCallable(() -> ViewRebuilder.rebuild(plan, events, name, pass))
                        .subscribeOn(Schedulers.parallel());
            });
        });
    }

    /** The raw log, oldest first; page through it with {@code after} = the last id seen. */
    @GetMapping("/runs/{runId}/events")
    public Mono<List<RunEvent>> events(@PathVariable String runId,
                                       @RequestParam(required = false) String after,
                                       @RequestParam(defaultValue = "1000") int limit) {
        if (limit < 1 || limit > 10_000) {
            return Mono.error(ApiException.badRequest("limit", "limit must be between 1 and 10000"));
        }
        String from = EventIds.validated(after);
        return store.view(runId).switchIfEmpty(notFound(runId))
                .flatMap(run -> store.events(runId, from, limit).collectList());
    }

    /** The queue: its depth and limit, runs being dispatched, recent dispatches, and each client's runs in order. */
    @GetMapping("/queue")
    public Mono<RunQueue.Snapshot> queue() {
        return queue.snapshot();
    }

    /** The GPU workers in the registry and the state of the circuit to each. */
    @GetMapping("/workers")
    public Flux<Map<String, Object>> workers() {
        return registry.live().map(w -> Map.of(
                "registration", w,
                "circuit", resilience.circuitBreaker(w.workerId()).getState().name()));
    }

    private static <T> Mono<T> notFound(String runId) {
        return Mono.error(() -> ApiException.notFound("no run " + runId));
    }
}
