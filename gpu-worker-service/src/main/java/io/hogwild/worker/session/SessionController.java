package io.hogwild.worker.session;

import io.hogwild.lockstep.SessionRun;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.web.ApiException;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The session API the orchestrator drives: start, watch (NDJSON or SSE), inspect, cancel. */
@RestController
public class SessionController {

    private final SessionService sessions;

    public SessionController(SessionService sessions) {
        this.sessions = sessions;
    }

    /** Validation tokenizes the prompt blocks: off the event loop. */
    @PostMapping("/v1/sessions")
    public Mono<ResponseEntity<SessionStatus>> create(@RequestBody SessionPlan plan) {
        return Mono.fromCallable(() -> sessions.start(plan))
                .subscribeOn(Schedulers.boundedElastic())
                .map(status -> ResponseEntity.created(URI.create("/v1/sessions/" + status.sessionId()))
                        .body(status));
    }

    @GetMapping("/v1/sessions")
    public List<SessionStatus> list() {
        return sessions.list();
    }

    @GetMapping("/v1/sessions/{id}")
    public SessionStatus status(@PathVariable String id) {
        return sessions.get(id).status();
    }

    @PostMapping("/v1/sessions/{id}/cancel")
    public ResponseEntity<SessionStatus> cancel(@PathVariable String id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(sessions.cancel(id));
    }

    /**
     * The session's events after {@code after} (or after {@code Last-Event-ID}, whichever is later), then live
     * ones until SESSION_FINISHED. Server-sent events when the client accepts {@code text/event-stream}
     * (each with {@code id:} = seq and {@code event:} = type), NDJSON otherwise.
     */
    @GetMapping("/v1/sessions/{id}/events")
    public ResponseEntity<Flux<?>> events(@PathVariable String id,
                                          @RequestParam(name = "after", required = false) Long after,
                                          @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                                          @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        SessionRun run = sessions.get(id);
        long from = Math.max(after == null ? 0 : after, parseLastEventId(lastEventId));
        if (from < 0) {
            throw ApiException.badRequest("after", "after must be >= 0");
        }
        // Encoding happens off the lockstep thread that publishes the events.
        Flux<SessionEvent> events = run.events().stream(from).publishOn(Schedulers.parallel());
        if (wantsServerSentEvents(accept)) {
            Flux<ServerSentEvent<SessionEvent>> body = events.map(e -> ServerSentEvent.builder(e)
                    .id(Long.toString(e.seq()))
                    .event(e.type().name())
                    .build());
            return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(body);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_NDJSON).body(events);
    }

    /** SSE only when asked for by name; a wildcard or anything unparsable gets NDJSON. */
    private static boolean wantsServerSentEvents(String accept) {
        if (accept == null) {
            return false;
        }
        try {
            return MediaType.parseMediaTypes(accept).stream()
                    .anyMatch(m -> !m.isWildcardType() && m.isCompatibleWith(MediaType.TEXT_EVENT_STREAM));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long parseLastEventId(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Last-Event-ID", "Last-Event-ID must be an event seq (a number)");
        }
    }
}
