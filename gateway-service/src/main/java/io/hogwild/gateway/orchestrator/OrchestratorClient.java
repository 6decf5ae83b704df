package io.hogwild.gateway.orchestrator;

import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.gateway.config.GatewayProperties;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * {@link OrchestratorResilience}. Failures come out as {@link OrchestratorUnavailableException} (503) or
 * {@link UpstreamProblemException} (the orchestrator's own problem, passed on), never as transport exceptions.
 */
@Component
public class OrchestratorClient {

    /** One entry of {@code GET /admin/workers}. */
    public record WorkerEntry(WorkerRegistration registration, String circuit) {}

    /** A proxied answer, passed on as is. */
    public record Raw(HttpStatusCode status, HttpHeaders headers, byte[] body) {}

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() { };

    private final WebClient web;
    private final OrchestratorResilience resilience;
    private final JsonMapper json;
    private final int maxProxiedResponse;
    private final String baseUrl;
    private final ConnectionProvider connections;

    public OrchestratorClient(WebClient.Builder builder, OrchestratorResilience resilience, JsonMapper json,
                              GatewayProperties properties) {
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
        this.baseUrl = properties.orchestratorUrl().replaceAll("/+$", "");
        this.maxProxiedResponse = (int) properties.maxProxiedResponse().toBytes();
        this.web = builder.clone()
                .baseUrl(properties.orchestratorUrl())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(maxProxiedResponse))
                .build();
        this.resilience = resilience;
        this.json = json;
    }

    /** Never retried: a repeat could start a second run. */
    public Mono<RunView> createRun(RunRequest request) {
        return resilience.call(transport(web.post().uri("/internal/runs")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(request)
                .exchangeToMono(response -> body(response, RunView.class))), false);
    }

    public Mono<RunView> run(String runId) {
        return resilience.call(transport(web.get().uri("/internal/runs/{id}", runId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, RunView.class))), true);
    }

    /** Not retried: only GETs are (the orchestrator answers a second cancel with 409 anyway). */
    public Mono<RunView> cancel(String runId) {
        return resilience.call(transport(web.post().uri("/internal/runs/{id}/cancel", runId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, RunView.class))), false);
    }

    public Mono<RunTranscript> transcript(String runId) {
        return resilience.call(transport(web.get().uri("/admin/runs/{id}/transcript", runId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, RunTranscript.class))), true);
    }

    public Mono<List<WorkerEntry>> workers() {
        return resilience.call(transport(web.get().uri("/admin/workers")
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(response, new ParameterizedTypeReference<List<WorkerEntry>>() { }))),
                true);
    }

    /**
     * The run's events as the orchestrator sends them (data = the RunEvent JSON, untouched), from after
     * {@code lastEventId}. The returned Mono completes once the orchestrator has answered 200, so that a 404 or 400
     * still becomes a problem response and not a broken stream.
     */
    public Mono<Flux<ServerSentEvent<String>>> events(String runId, String lastEventId) {
        Mono<Flux<ServerSentEvent<String>>> connect = web.get().uri("/internal/runs/{id}/events", runId)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(h -> {
                    if (lastEventId != null && !lastEventId.isBlank()) {
                        h.set("Last-Event-ID", lastEventId);
                    }
                })
                .retrieve()
                .onStatus(HttpStatusCode::isError, response -> problem(response).flatMap(Mono::error))
                .toEntityFlux(SSE)
                .map(entity -> entity.getBody() == null ? Flux.<ServerSentEvent<String>>empty()
                        : entity.getBody().onErrorMap(OrchestratorClient::isTransport, e ->
                                new OrchestratorUnavailableException("the orchestrator's event stream broke",
                                        Duration.ofSeconds(1), e)));
        return resilience.open(transport(connect));
    }

    /** Any admin call, passed through with its status, content type and Retry-After; GETs are retried. */
    public Mono<Raw> proxy(HttpMethod method, String pathAndQuery, MediaType contentType, byte[] body) {
        // The raw path and query of the client's request, as an absolute URI so that nothing is encoded twice.
        WebClient.RequestBodySpec spec = web.method(method).uri(URI.create(baseUrl + pathAndQuery)).headers(h -> {
            if (contentType != null) {
                h.setContentType(contentType);
            }
        });
        WebClient.RequestHeadersSpec<?> request = body != null && body.length > 0 ? spec.bodyValue(body) : spec;
        Mono<Raw> call = request.exchangeToMono(response -> response.bodyToMono(byte[].class)
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
        return resilience.call(transport(call), method == HttpMethod.GET || method == HttpMethod.HEAD);
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
