package io.hogwild.client;

import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunPage;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunResponse;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.WorkerTranscript;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.codec.CodecException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's public run API from Java, reactive end to end: every call is a {@link Mono} or {@link Flux} that does
 * nothing until subscribed. Errors come out as {@link HogwildApiException} subclasses (the gateway's problem, typed
 * by status), {@link HogwildConnectionException} (not reachable, dropped, too slow) or {@link EventStreamException}.
 *
 * <pre>{@code
 * HogwildClient hogwild = HogwildClient.create("http://127.0.0.1:8080", apiKey);
 * hogwild.createRun(RunRequest.of("What is 17 * 23?"))
 *        .flatMapMany(run -> hogwild.events(run.id()))
 *        .subscribe(event -> ...);
 * }</pre>
 *
 * <p>{@link #events} survives dropped connections: it reconnects with {@code Last-Event-ID} set to the last event it
 * delivered, so no event is lost or delivered twice. Creating a run is never retried (a repeat could start a second
 * run); nothing else is retried either, so callers stay in charge of their own retry policy.
 */
public final class HogwildClient {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() { };

    private final WebClient web;
    private final JsonMapper json;
    private final String baseUrl;
    private final Duration callTimeout;
    private final int streamReconnects;
    private final Duration reconnectBackoff;
    private final Duration streamIdleTimeout;

    private HogwildClient(Builder builder) {
        this.json = HogwildJson.mapper();
        this.baseUrl = builder.baseUrl.replaceAll("/+$", "");
        this.callTimeout = builder.callTimeout;
        this.streamReconnects = builder.streamReconnects;
        this.reconnectBackoff = builder.reconnectBackoff;
        this.streamIdleTimeout = builder.streamIdleTimeout;
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) builder.connectTimeout.toMillis());
        WebClient.Builder web = builder.webClient != null ? builder.webClient.clone() : WebClient.builder();
        this.web = web.baseUrl(baseUrl)
                .clientConnector(new ReactorClientHttpConnector(http))
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + builder.apiKey)
                .codecs(codecs -> {
                    codecs.defaultCodecs().jacksonJsonDecoder(new JacksonJsonDecoder(json));
                    codecs.defaultCodecs().jacksonJsonEncoder(new JacksonJsonEncoder(json));
                    // Transcripts of long runs are large.
                    codecs.defaultCodecs().maxInMemorySize(32 * 1024 * 1024);
                })
                .build();
    }

    /** A client with the default settings. */
    public static HogwildClient create(String baseUrl, String apiKey) {
        return builder().baseUrl(baseUrl).apiKey(apiKey).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code POST /v1/runs}: answers once a GPU worker accepted the run (status {@code RUNNING}). Never retried. */
    public Mono<RunResponse> createRun(RunRequest request) {
        return call(web.post().uri("/v1/runs").contentType(MediaType.APPLICATION_JSON).bodyValue(request),
                RunResponse.class);
    }

    /** {@code GET /v1/runs/{id}}: status, each worker's progress, the final answer once there is one. */
    public Mono<RunResponse> run(String runId) {
        return call(web.get().uri("/v1/runs/{id}", runId), RunResponse.class);
    }

    /** {@code POST /v1/runs/{id}/cancel}; a {@link ConflictException} when the run already ended. */
    public Mono<RunResponse> cancel(String runId) {
        return call(web.post().uri("/v1/runs/{id}/cancel", runId), RunResponse.class);
    }

    /** {@code GET /admin/runs}: every run, newest first (needs an admin key). {@code status} may be null. */
    public Mono<RunPage> runs(RunStatus status, int page, int size) {
        return call(web.get().uri(uri -> uri.path("/admin/runs")
                .queryParamIfPresent("status", Optional.ofNullable(status).map(RunStatus::name))
                .queryParam("page", page).queryParam("size", size).build()), RunPage.class);
    }

    /** The shared history and every worker's transcript (needs an admin key). */
    public Mono<RunTranscript> transcript(String runId) {
        return call(web.get().uri("/admin/runs/{id}/transcript", runId), RunTranscript.class);
    }

    /** One worker's transcript, step by step (needs an admin key). */
    public Mono<WorkerTranscript> transcript(String runId, String worker) {
        return call(web.get().uri("/admin/runs/{id}/transcript/{worker}", runId, worker), WorkerTranscript.class);
    }

    /** Every event of the run from its start; see {@link #events(String, String)}. */
    public Flux<RunEvent> events(String runId) {
        return events(runId, null);
    }

    /**
     * The run's events after {@code afterEventId} (from the start when null), live until {@code RUN_ENDED}, which is
     * the last one. When the connection drops, stalls (no event or keep-alive for the idle timeout), ends early or
     * breaks off mid-event, the stream reconnects with {@code Last-Event-ID} set to the last event delivered, so
     * every event arrives once and in order; after the configured number of reconnects in a row without a new event
     * it fails with {@link EventStreamException}. Errors the gateway answers (401, 404, ...) are not retried.
     */
    public Flux<RunEvent> events(String runId, String afterEventId) {
        return Flux.defer(() -> {
            AtomicReference<String> last = new AtomicReference<>(afterEventId);
            AtomicBoolean ended = new AtomicBoolean();
            Flux<RunEvent> connection = Flux.defer(() -> stream(runId, last.get()))
                    // The gateway resumes after Last-Event-ID; this guard keeps the promise even if it did not.
                    .filter(event -> EventIds.isAfter(event.id(), last.get()))
                    .doOnNext(event -> {
                        last.set(event.id());
                        if (event.type() == EventType.RUN_ENDED) {
                            ended.set(true);
                        }
                    })
                    .takeUntil(event -> event.type() == EventType.RUN_ENDED)
                    .concatWith(Mono.defer(() -> ended.get() ? Mono.empty()
                            : Mono.error(new StreamInterrupted("the stream ended before RUN_ENDED"))));
            return connection.retryWhen(Retry.backoff(streamReconnects, reconnectBackoff)
                    .maxBackoff(reconnectBackoff.multipliedBy(8))
                    // Counts reconnects in a row: a connection that delivered an event starts the count again.
                    .transientErrors(true)
                    .filter(HogwildClient::resumable)
                    .onRetryExhaustedThrow((spec, signal) -> new EventStreamException(runId, last.get(),
                            "the event stream of run " + runId + " ended before the run did"
                                    + (signal.failure() instanceof StreamInterrupted ? ""
                                    : ": " + signal.failure().getMessage()), signal.failure())));
        });
    }

    /** One connection to the event stream. */
    private Flux<RunEvent> stream(String runId, String lastEventId) {
        return web.get().uri("/v1/runs/{id}/events", runId)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(headers -> {
                    if (lastEventId != null) {
                        headers.set("Last-Event-ID", lastEventId);
                    }
                })
                .retrieve()
                .onStatus(HttpStatusCode::isError, this::problem)
                .bodyToFlux(SSE)
                // Keep-alive comments count as life; a silent connection is a dead one.
                .timeout(streamIdleTimeout)
                .filter(sse -> sse.data() != null)
                .map(sse -> read(sse, runId))
                .onErrorMap(this::translate);
    }

    private RunEvent read(ServerSentEvent<String> sse, String runId) {
        try {
            return json.readValue(sse.data(), RunEvent.class);
        } catch (JacksonException e) {
            // A connection cut mid-event leaves its first part: read it again after the last whole one.
            throw new StreamInterrupted("an event of run " + runId + " could not be read (" + e.getOriginalMessage()
                    + ")");
        }
    }

    private <T> Mono<T> call(WebClient.RequestHeadersSpec<?> request, Class<T> type) {
        return request.exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToMono(type)
                        : problem(response).flatMap(Mono::error))
                .timeout(callTimeout)
                .onErrorMap(this::translate);
    }

    /** The gateway's problem document, typed by status. */
    private Mono<HogwildApiException> problem(ClientResponse response) {
        int status = response.statusCode().value();
        Duration retryAfter = retryAfter(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                .map(body -> HogwildApiException.of(status, problemMembers(body), retryAfter));
    }

    private Map<String, Object> problemMembers(byte[] body) {
        Map<String, Object> problem = new LinkedHashMap<>();
        try {
            Map<String, Object> parsed = json.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (parsed != null) {
                problem.putAll(parsed);
            }
        } catch (JacksonException e) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) {
                problem.put("detail", text.length() > 200 ? text.substring(0, 200) + "…" : text);
            }
        }
        return problem;
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Transport failures as {@link HogwildConnectionException}s; what this client raised stays as it is. */
    private Throwable translate(Throwable error) {
        if (error instanceof HogwildException) {
            return error;
        }
        if (error instanceof TimeoutException) {
            return new HogwildConnectionException("the gateway at " + baseUrl + " did not answer in time", true,
                    error);
        }
        if (isTransport(error)) {
            return new HogwildConnectionException("cannot reach the gateway at " + baseUrl, false, error);
        }
        if (error instanceof CodecException) {
            return new HogwildException("the gateway's answer could not be read: " + error.getMessage(), error);
        }
        return error;
    }

    private static boolean isTransport(Throwable error) {
        return error instanceof WebClientRequestException || error instanceof PrematureCloseException
                || error instanceof IOException
                || (error instanceof WebClientResponseException && error.getCause() != null
                && isTransport(error.getCause()));
    }

    /** What a reconnect may fix: a broken or stalled connection, an early end, a gateway briefly unavailable. */
    private static boolean resumable(Throwable error) {
        return error instanceof StreamInterrupted || error instanceof HogwildConnectionException
                || error instanceof ServiceUnavailableException;
    }

    /** The stream stopped short of RUN_ENDED without a transport error. */
    private static final class StreamInterrupted extends HogwildException {
        StreamInterrupted(String message) {
            super(message, null);
        }
    }

    /** Settings of a client; only the base URL and the API key are required. */
    public static final class Builder {

        private String baseUrl;
        private String apiKey;
        private WebClient.Builder webClient;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration callTimeout = Duration.ofSeconds(30);
        private int streamReconnects = 5;
        private Duration reconnectBackoff = Duration.ofMillis(250);
        private Duration streamIdleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The gateway, e.g. {@code http://127.0.0.1:8080} (without {@code /v1}). */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** Sent as {@code Authorization: Bearer <key>}; a user key, or an admin key for the admin reads. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** A builder to start from (e.g. Spring Boot's, with its observation and filters); it is cloned. */
        public Builder webClient(WebClient.Builder webClient) {
            this.webClient = webClient;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Limit for one call (not for event streams, which last as long as the run). Default 30 s. */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        /** Reconnects of an event stream in a row without a new event before it fails. Default 5. */
        public Builder streamReconnects(int streamReconnects) {
            this.streamReconnects = streamReconnects;
            return this;
        }

        /** The first wait before a reconnect, doubled each time up to eight times as long. Default 250 ms. */
        public Builder reconnectBackoff(Duration reconnectBackoff) {
            this.reconnectBackoff = reconnectBackoff;
            return this;
        }

        /**
         * How long an event stream may stay silent before it counts as dead and is resumed; the gateway sends a
         * keep-alive comment every 15 s by default. Default 60 s.
         */
        public Builder streamIdleTimeout(Duration streamIdleTimeout) {
            this.streamIdleTimeout = streamIdleTimeout;
            return this;
        }

        public HogwildClient build() {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(apiKey, "apiKey");
            if (streamReconnects < 0) {
                throw new IllegalArgumentException("streamReconnects must be 0 or more");
            }
            return new HogwildClient(this);
        }
    }
}
