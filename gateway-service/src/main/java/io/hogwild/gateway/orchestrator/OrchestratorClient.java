package io.hogwild.gateway.orchestrator;

import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.web.internal.InternalToken;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import jakarta.annotation.PreDestroy;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The orchestrator's internal and admin API (see orchestrator-service/API.md), every call through
 * {@link OrchestratorResilience} and carrying the service credential. Failures come out as
 * {@link OrchestratorUnavailableException} (503) or {@link UpstreamProblemException} (the orchestrator's own problem,
 * passed on), never as transport exceptions.
 *
 * <p>{@code hogwild.gateway.orchestrator-url} may list several orchestrators (comma separated; in Kubernetes it is
 * one Service). A call goes to the last one that answered; when it cannot connect, the next one is tried (a request
 * that never reached an orchestrator is safe to send again, even a POST); idempotent calls also move on after a
 * connection that broke. An event stream that breaks is reopened, on whichever orchestrator answers, after the last
 * event id relayed: every orchestrator serves every run's log from Redis.
 */
@Component
public class OrchestratorClient {

    /** One entry of {@code GET /admin/workers}. */
    public record WorkerEntry(WorkerRegistration registration, String circuit) {}

    /** A proxied answer, passed on as is. */
    public record Raw(HttpStatusCode status, HttpHeaders headers, byte[] body) {}

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() { };
    /** The orchestrator's header naming the caller's API key (the name only) for its fair queue. */
    static final String CLIENT_HEADER = "X-Hogwild-Client";
    /** Reopenings of one broken event stream before the client sees it break. */
    private static final int STREAM_RESUMES = 5;

    private final WebClient web;
    private final OrchestratorResilience resilience;
    private final JsonMapper json;
    private final int maxProxiedResponse;
    private final List<String> endpoints;
    private final AtomicInteger preferred = new AtomicInteger();
    private final ConnectionProvider connections;

    public OrchestratorClient(WebClient.Builder builder, OrchestratorResilience resilience, JsonMapper json,
                              GatewayProperties properties, InternalToken token) {
        // A pool of its own: event streams hold a connection for a whole run, so the shared default pool (a few dozen
        // connections) would starve ordinary calls; and it is released with this bean, not with global resources.
        this.connections = ConnectionProvider.builder("orchestrator")
                .maxConnections(1000)
                .pendingAcquireTimeout(properties.resilience().connectTimeout())
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        HttpClient http = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) properties.resilience().connectTimeout().toMillis());
        this.endpoints = endpoints(properties.orchestratorUrl());
        this.maxProxiedResponse = (int) properties.maxProxiedResponse().toBytes();
        this.web = builder.clone()
                .clientConnector(new ReactorClientHttpConnector(http))
                // The orchestrator refuses calls without the service credential.
                .filter(token.clientFilter())
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxProxiedResponse))
                .build();
        this.resilience = resilience;
        this.json = json;
    }

    /** The orchestrator URLs of a comma-separated setting, without trailing slashes. */
    static List<String> endpoints(String setting) {
        List<String> urls = Arrays.stream(setting.split(","))
                .map(String::strip)
                .filter(url -> !url.isEmpty())
                .map(url -> url.replaceAll("/+$", ""))
                .toList();
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("hogwild.gateway.orchestrator-url names no orchestrator");
        }
        return urls;
    }

    /**
     * Queues a run on behalf of {@code client} (the API key's name). Never retried after it may have reached an
     * orchestrator: a repeat could queue a second run.
     */
    public Mono<RunView> createRun(RunRequest request, String client) {
        return resilience.call(transport(failover(base -> web.post().uri(base + "/internal/runs")
                .contentType(MediaType.APPLICATION_JSON)
                .header(CLIENT_HEADER, client)
                .bodyValue(request)
                .exchangeToMono(response -> body(response, RunView.class)), false)), false);
    }

    public Mono<RunView> run(String runId) {
        return resilience.call(transport(failover(base -> web.get().uri(base + "/internal/runs/{id}", runId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, RunView.class)), true)), true);
    }

    /** Not retried: only GETs are (the orchestrator answers a second cancel with 409 anyway). */
    public Mono<RunView> cancel(String runId) {
        return resilience.call(transport(failover(base -> web.post().uri(base + "/internal/runs/{id}/cancel", runId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, RunView.class)), false)), false);
    }

    public Mono<RunTranscript> transcript(String runId) {
        return resilience.call(transport(failover(base -> web.get().uri(base + "/admin/runs/{id}/transcript", runId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, RunTranscript.class)), true)), true);
    }

    public Mono<List<WorkerEntry>> workers() {
        return resilience.call(transport(failover(base -> web.get().uri(base + "/admin/workers")
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, new ParameterizedTypeReference<List<WorkerEntry>>() { })),
                true)), true);
    }

    /**
     * The call on the preferred orchestrator, then on the next ones while it could not connect (or, for an
     * idempotent call, broke off); the one that answered becomes the preferred one.
     */
    private <T> Mono<T> failover(Function<String, Mono<T>> call, boolean idempotent) {
        return Mono.defer(() -> attempt(call, idempotent, preferred.get(), 0));
    }

    private <T> Mono<T> attempt(Function<String, Mono<T>> call, boolean idempotent, int index, int tried) {
        int at = Math.floorMod(index, endpoints.size());
        return call.apply(endpoints.get(at))
                .doOnSuccess(answer -> preferred.set(at))
                .onErrorResume(e -> tried + 1 < endpoints.size() && (idempotent ? isTransport(e) : neverConnected(e)),
                        e -> attempt(call, idempotent, at + 1, tried + 1));
    }

    /** The request never reached the orchestrator: connection refused or connect timeout. */
    private static boolean neverConnected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The run's events as the orchestrator sends them (data = the RunEvent JSON, untouched), from after
     * {@code lastEventId}. The returned Mono completes once an orchestrator has answered 200, so that a 404 or 400
     * still becomes a problem response and not a broken stream. A stream that breaks (or ends) before RUN_ENDED is
     * reopened after the last event id seen, a few times, before the client sees it break.
     */
    public Mono<Flux<ServerSentEvent<String>>> events(String runId, String lastEventId) {
        AtomicReference<String> last = new AtomicReference<>(lastEventId);
        return resilience.open(transport(failover(base -> openEvents(base, runId, last.get()), true)))
                .map(stream -> resumable(stream, runId, last, STREAM_RESUMES)
                        .onErrorMap(OrchestratorClient::isTransport, e ->
                                new OrchestratorUnavailableException("the orchestrator's event stream broke",
                                        Duration.ofSeconds(1), e)));
    }

    private Mono<Flux<ServerSentEvent<String>>> openEvents(String base, String runId, String after) {
        return web.get().uri(base + "/internal/runs/{id}/events", runId)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(h -> {
                    if (after != null && !after.isBlank()) {
                        h.set("Last-Event-ID", after);
                    }
                })
                .retrieve()
                .onStatus(HttpStatusCode::isError, response -> problem(response).flatMap(Mono::error))
                .toEntityFlux(SSE)
                .map(entity -> entity.getBody() == null ? Flux.<ServerSentEvent<String>>empty() : entity.getBody());
    }

    private Flux<ServerSentEvent<String>> resumable(Flux<ServerSentEvent<String>> stream, String runId,
                                                    AtomicReference<String> last, int resumesLeft) {
        AtomicBoolean ended = new AtomicBoolean();
        Flux<ServerSentEvent<String>> reopened = Flux.defer(() -> Mono.delay(Duration.ofMillis(
                        200L * (STREAM_RESUMES - resumesLeft + 1)))
                .then(failover(base -> openEvents(base, runId, last.get()), true))
                .flatMapMany(next -> resumable(next, runId, last, resumesLeft - 1)));
        return stream
                .doOnNext(event -> {
                    if (event.id() != null) {
                        last.set(event.id());
                    }
                    if ("RUN_ENDED".equals(event.event())) {
                        ended.set(true);
                    }
                })
                .onErrorResume(e -> resumesLeft > 0 && isTransport(e), e -> reopened)
                .concatWith(Flux.defer(() -> ended.get() || resumesLeft <= 0 ? Flux.empty() : reopened));
    }

    /** Any admin call, passed through with its status, content type and Retry-After; GETs are retried. */
    public Mono<Raw> proxy(HttpMethod method, String pathAndQuery, MediaType contentType, byte[] body) {
        // The raw path and query of the client's request, as an absolute URI so that nothing is encoded twice.
        boolean idempotent = method == HttpMethod.GET || method == HttpMethod.HEAD;
        return resilience.call(transport(failover(base -> proxyTo(base, method, pathAndQuery, contentType, body),
                idempotent)), idempotent);
    }

    private Mono<Raw> proxyTo(String base, HttpMethod method, String pathAndQuery, MediaType contentType,
                              byte[] body) {
        WebClient.RequestBodySpec spec = web.method(method).uri(URI.create(base + pathAndQuery)).headers(h -> {
            if (contentType != null) {
                h.setContentType(contentType);
            }
        });
        WebClient.RequestHeadersSpec<?> request = body != null && body.length > 0 ? spec.bodyValue(body) : spec;
        return request.exchangeToMono(response -> response.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .flatMap(bytes -> {
                    if (response.statusCode().value() == 500) {
                        // Counted by the circuit breaker like any other orchestrator failure.
                        return Mono.error(new UpstreamProblemException(response.statusCode(), parse(bytes),
                                null));
                    }
                    HttpHeaders headers = new HttpHeaders();
                    if (response.headers().contentType().isPresent()) {
                        headers.setContentType(response.headers().contentType().get());
                    }
                    String retryAfter = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
                    if (retryAfter != null) {
                        headers.set(HttpHeaders.RETRY_AFTER, retryAfter);
                    }
                    return Mono.just(new Raw(response.statusCode(), headers, bytes));
                }));
    }

    private <T> Mono<T> body(ClientResponse response, Class<T> type) {
        return response.statusCode().is2xxSuccessful()
                ? response.bodyToMono(type)
                : problem(response).flatMap(Mono::error);
    }

    private <T> Mono<T> body(ClientResponse response, ParameterizedTypeReference<T> type) {
        return response.statusCode().is2xxSuccessful()
                ? response.bodyToMono(type)
                : problem(response).flatMap(Mono::error);
    }

    private Mono<UpstreamProblemException> problem(ClientResponse response) {
        Duration retryAfter = retryAfter(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                .map(bytes -> new UpstreamProblemException(response.statusCode(), parse(bytes), retryAfter));
    }

    private Map<String, Object> parse(byte[] bytes) {
        try {
            Map<String, Object> map = json.readValue(bytes, new TypeReference<LinkedHashMap<String, Object>>() { });
            return map != null ? map : new LinkedHashMap<>();
        } catch (RuntimeException e) {
            return new LinkedHashMap<>();
        }
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(5);
        }
    }

    /** Connection refused, reset, closed early: the orchestrator is unavailable. */
    private static <T> Mono<T> transport(Mono<T> call) {
        return call.onErrorMap(OrchestratorClient::isTransport, e -> new OrchestratorUnavailableException(
                "the orchestrator cannot be reached", Duration.ofSeconds(2), e));
    }

    private static boolean isTransport(Throwable e) {
        return e instanceof WebClientRequestException || e instanceof PrematureCloseException
                || (e instanceof WebClientResponseException && e.getCause() instanceof PrematureCloseException);
    }

    @PreDestroy
    void close() {
        connections.dispose();
    }
}
