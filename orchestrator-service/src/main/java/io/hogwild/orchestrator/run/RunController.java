package io.hogwild.orchestrator.run;

import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunView;
import jakarta.validation.Valid;
import java.net.URI;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The run API the gateway calls (see API.md). Not exposed publicly. */
@RestController
@RequestMapping("/internal/runs")
public class RunController {

    private final RunService runs;
    private final RunEventFollower follower;

    public RunController(RunService runs, RunEventFollower follower) {
        this.runs = runs;
        this.follower = follower;
    }

    /** The header in which the gateway names the caller's API key (its name, never the key): whose queue to join. */
    public static final String CLIENT_HEADER = "X-Hogwild-Client";

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<RunView>> create(@Valid @RequestBody RunRequest request,
            @RequestHeader(name = CLIENT_HEADER, required = false) String client) {
        return runs.create(request, client).map(run -> ResponseEntity.accepted()
                .location(URI.create("/internal/runs/" + run.runId()))
                .body(run));
    }

    @GetMapping("/{runId}")
    public Mono<RunView> get(@PathVariable String runId) {
        return runs.get(runId);
    }

    /**
     * The run's events as server-sent events: everything recorded after {@code Last-Event-ID} (or {@code after}),
     * then live ones until the run ends. The SSE id is the event's id in the log.
     */
    @GetMapping(path = "/{runId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<RunEvent>> events(@PathVariable String runId,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(name = "after", required = false) String after) {
        String from = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim() : after;
        return runs.get(runId).thenMany(follower.follow(runId, EventIds.validated(from)))
                .map(event -> {
                    ServerSentEvent.Builder<RunEvent> sse = ServerSentEvent.builder(event).event(event.type().name());
                    // QUEUE_POSITION events are not in the log: they carry no id, so Last-Event-ID is unaffected.
                    return event.id() != null ? sse.id(event.id()).build() : sse.build();
                });
    }

    @PostMapping("/{runId}/cancel")
    public Mono<ResponseEntity<RunView>> cancel(@PathVariable String runId) {
        return runs.cancel(runId).map(run -> ResponseEntity.accepted().body(run));
    }
}
