package io.hogwild.gateway.runs;

import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunResponse;
import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.gateway.security.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
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
import reactor.core.publisher.Sinks;

/** The public run API: start a run, read it, follow its events live, cancel it. */
@RestController
@RequestMapping("/v1/runs")
@Tag(name = "runs", description = "Hogwild! runs: several workers solving one problem over a shared cache")
public class RunController {

    private final RunService runs;
    private final Duration heartbeat;

    public RunController(RunService runs, GatewayProperties properties) {
        this.runs = runs;
        this.heartbeat = properties.sseHeartbeat();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Start a run", description = "Only `problem` is required; the rest default to the "
            + "orchestrator's configuration. Answers 202 with status QUEUED and `queue_position` as soon as the run is "
            + "queued; 429 with Retry-After when the queue is full. Queued runs start as GPU workers free up, "
            + "fairly across API keys.")
    public Mono<ResponseEntity<RunResponse>> create(@Valid @RequestBody RunRequest request,
                                                    @Parameter(hidden = true) ApiPrincipal principal) {
        return runs.create(request, principal, "runs").map(RunResponse::of)
                .map(run -> ResponseEntity.accepted().location(URI.create(run.links().self())).body(run));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "A run's status, progress per worker and final answer")
    public Mono<RunResponse> get(@PathVariable String id, @Parameter(hidden = true) ApiPrincipal principal) {
        return runs.get(id, principal).map(RunResponse::of);
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Cancel a run", description = "202; the run becomes CANCELLED once its GPU worker "
            + "confirms. 409 when it already ended.")
    public Mono<ResponseEntity<RunResponse>> cancel(@PathVariable String id,
                                                    @Parameter(hidden = true) ApiPrincipal principal) {
        return runs.cancel(id, principal).map(run -> ResponseEntity.accepted().body(RunResponse.of(run)));
    }

    /**
     * The orchestrator's event stream relayed: {@code event:} is the event type in lower case, {@code id:} the
     * event's id in the run's log (send it back as {@code Last-Event-ID} to resume), {@code data:} the RunEvent JSON
     * as recorded. A comment line keeps idle streams open through proxies.
     */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Follow a run's events (server-sent events)", description = "Token deltas per worker, "
            + "steps, the final answer; ends after `run_ended`. Resumable with `Last-Event-ID` (or `?after=`). While "
            + "the run is queued, `queue_position` events (without id) say where it stands.")
    public Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> events(
            @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(name = "after", required = false) String after,
            @Parameter(hidden = true) ApiPrincipal principal) {
        String from = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim() : after;
        return runs.events(id, from, principal).map(upstream -> ResponseEntity.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                // nginx and similar proxies must not buffer an event stream.
                .header("X-Accel-Buffering", "no")
                .body(withHeartbeat(upstream.map(RunController::relabel))));
    }

    private static ServerSentEvent<String> relabel(ServerSentEvent<String> event) {
        ServerSentEvent.Builder<String> out = ServerSentEvent.builder(event.data());
        if (event.id() != null) {
            out.id(event.id());
        }
        if (event.event() != null) {
            out.event(event.event().toLowerCase(Locale.ROOT));
        }
        return out.build();
    }

    /** Merges keep-alive comments into the stream until it ends. */
    private Flux<ServerSentEvent<String>> withHeartbeat(Flux<ServerSentEvent<String>> events) {
        if (heartbeat.isZero() || heartbeat.isNegative()) {
            return events;
        }
        Sinks.Empty<Void> done = Sinks.empty();
        Flux<ServerSentEvent<String>> beats = Flux.interval(heartbeat)
                .map(i -> ServerSentEvent.<String>builder().comment("keep-alive").build())
                .takeUntilOther(done.asMono());
        return Flux.merge(events.doFinally(signal -> done.tryEmitEmpty()), beats);
    }
}
