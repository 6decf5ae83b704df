package io.hogwild.orchestrator.workers;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.web.internal.InternalToken;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The GPU worker HTTP API (snake_case JSON), every call guarded: bulkhead and circuit breaker per worker, a time limit
 * on short calls, retries only for idempotent ones (model info, tokenize, cancel). Errors come out as
 * {@link WorkerUnavailableException}, {@link WorkerBusyException} or {@link WorkerRejectedException} so that callers
 * and the problem handler never see transport exceptions.
 */
@Component
public class GpuWorkerClient {

    /** Token count of a text, as the GPU worker's tokenizer sees it. */
    public record TokenCount(java.util.List<Integer> ids, int count) {}

    private final WebClient web;
    private final WorkerResilience resilience;
    private final OrchestratorProperties.Resilience config;
    private final Duration retryAfter;

    public GpuWorkerClient(WebClient.Builder builder, WorkerResilience resilience, OrchestratorProperties properties,
                           InternalToken token) {
        this.config = properties.resilience();
        this.retryAfter = properties.registry().retryAfter();
        HttpClient http = HttpClient.create()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis());
        this.web = builder.clone()
                .clientConnector(new ReactorClientHttpConnector(http))
                // Every call carries the service credential: GPU workers refuse calls without it.
                .filter(token.clientFilter())
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
        this.resilience = resilience;
    }

    public Mono<ModelInfo> model(WorkerTarget target) {
        return idempotent(target, "GET /v1/model", web.get().uri(target.url() + "/v1/model")
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(target, response, ModelInfo.class)));
    }

    public Mono<TokenCount> tokenize(WorkerTarget target, String text) {
        // Tokenizing is a pure function of the text: safe to repeat.
        return idempotent(target, "POST /v1/tokenize", web.post().uri(target.url() + "/v1/tokenize")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", text))
                .exchangeToMono(response -> body(target, response, TokenCount.class)));
    }

    /** Creates a session; never retried (a repeat could start a second session). 503 means the worker is full. */
    public Mono<SessionStatus> createSession(WorkerTarget target, SessionPlan plan) {
        return guarded(target, "POST /v1/sessions", web.post().uri(target.url() + "/v1/sessions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(plan)
                .exchangeToMono(response -> body(target, response, SessionStatus.class)));
    }

    public Mono<SessionStatus> session(WorkerTarget target, String sessionId) {
        return idempotent(target, "GET /v1/sessions/{id}", web.get()
                .uri(target.url() + "/v1/sessions/{id}", sessionId)
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> body(target, response, SessionStatus.class)));
    }

    /** Asks the worker to stop a session; repeating a cancel is harmless. */
    public Mono<Void> cancel(WorkerTarget target, String sessionId) {
        return idempotent(target, "POST /v1/sessions/{id}/cancel", web.post()
                .uri(target.url() + "/v1/sessions/{id}/cancel", sessionId)
                .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                        ? response.releaseBody()
                        : failure(target, response).then()));
    }

    /**
     * A session's events after {@code afterSeq} as NDJSON, until SESSION_FINISHED. No time limit on the whole stream
     * (it lasts as long as the run), only on silence between events.
     */
    public Flux<SessionEvent> events(WorkerTarget target, String sessionId, long afterSeq) {
        Flux<SessionEvent> events = web.get()
                .uri(target.url() + "/v1/sessions/{id}/events?after={after}", sessionId, afterSeq)
                .accept(MediaType.APPLICATION_NDJSON)
                .exchangeToFlux(response -> response.statusCode().is2xxSuccessful()
                        ? response.bodyToFlux(SessionEvent.class)
                        : failure(target, response).flux().cast(SessionEvent.class))
                .timeout(config.streamIdleTimeout())
                .onErrorMap(e -> translate(target, "event stream", e));
        return events
                .transformDeferred(CircuitBreakerOperator.of(resilience.circuitBreaker(target.id())))
                .onErrorMap(e -> translate(target, "event stream", e));
    }

    private <T> Mono<T> idempotent(WorkerTarget target, String call, Mono<T> mono) {
        return guarded(target, call, mono).transformDeferred(RetryOperator.of(resilience.idempotentRetry()));
    }

    private <T> Mono<T> guarded(WorkerTarget target, String call, Mono<T> mono) {
        return mono
                .transformDeferred(TimeLimiterOperator.of(resilience.timeLimiter()))
                .onErrorMap(e -> translate(target, call, e))
                .transformDeferred(CircuitBreakerOperator.of(resilience.circuitBreaker(target.id())))
                .transformDeferred(BulkheadOperator.of(resilience.bulkhead(target.id())))
                .onErrorMap(e -> translate(target, call, e));
    }

    private <T> Mono<T> body(WorkerTarget target, ClientResponse response, Class<T> type) {
        if (response.statusCode().is2xxSuccessful()) {
            return response.bodyToMono(type)
                    .switchIfEmpty(Mono.error(() -> new WorkerRejectedException(
                            "GPU worker " + target.id() + " answered with an empty body")));
        }
        return failure(target, response);
    }

    /** Non-2xx answers: 503 = full (Retry-After passed on), other 4xx = rejected, 5xx = unavailable. */
    private <T> Mono<T> failure(WorkerTarget target, ClientResponse response) {
        HttpStatusCode status = response.statusCode();
        Duration wait = retryAfterOf(response);
        return response.bodyToMono(String.class).defaultIfEmpty("").flatMap(body -> {
            String detail = detailOf(body);
            if (status.value() == 503) {
                return Mono.error(new WorkerBusyException("GPU worker " + target.id() + " has no room for another "
                        + "session" + (detail.isEmpty() ? "" : ": " + detail), wait != null ? wait : retryAfter));
            }
            if (status.is4xxClientError()) {
                return Mono.error(new WorkerRejectedException("GPU worker " + target.id() + " answered "
                        + status.value() + (detail.isEmpty() ? "" : ": " + detail), status.value()));
            }
            return Mono.error(new WorkerUnavailableException("GPU worker " + target.id() + " failed with "
                    + status.value() + (detail.isEmpty() ? "" : ": " + detail), retryAfter, null));
        });
    }

    private static Duration retryAfterOf(ClientResponse response) {
        String value = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return null; // An HTTP-date: rare between our services; fall back to our default.
        }
    }

    /** The {@code detail} of a problem document, else the raw body cut short. */
    private static String detailOf(String body) {
        int at = body.indexOf("\"detail\"");
        if (at >= 0) {
            int start = body.indexOf('"', body.indexOf(':', at) + 1);
            int end = start < 0 ? -1 : body.indexOf('"', start + 1);
            if (start >= 0 && end > start) {
                return body.substring(start + 1, end);
            }
        }
        String trimmed = body.strip();
        return trimmed.length() > 300 ? trimmed.substring(0, 300) + "..." : trimmed;
    }

    Throwable translate(WorkerTarget target, String call, Throwable e) {
        if (e instanceof WorkerUnavailableException || e instanceof WorkerBusyException
                || e instanceof WorkerRejectedException) {
            return e;
        }
        if (e instanceof CallNotPermittedException) {
            return new WorkerUnavailableException("GPU worker " + target.id() + " is failing; its circuit breaker is "
                    + "open, so " + call + " was not attempted. Try again later.", config.waitInOpenState(), e);
        }
        if (e instanceof BulkheadFullException) {
            return new WorkerBusyException("Too many concurrent calls to GPU worker " + target.id() + ".", retryAfter);
        }
        if (e instanceof TimeoutException) {
            return new WorkerUnavailableException("GPU worker " + target.id() + " did not answer " + call + " in time.",
                    retryAfter, e);
        }
        if (e instanceof WebClientRequestException || e instanceof PrematureCloseException
                || e instanceof java.io.IOException) {
            return new WorkerUnavailableException("GPU worker " + target.id() + " at " + target.url()
                    + " is unreachable (" + call + "): " + rootMessage(e), retryAfter, e);
        }
        if (e instanceof org.springframework.core.codec.DecodingException) {
            return new WorkerRejectedException("GPU worker " + target.id() + " sent an unreadable answer to " + call
                    + ": " + rootMessage(e));
        }
        return new WorkerUnavailableException("GPU worker " + target.id() + " call " + call + " failed: "
                + rootMessage(e), retryAfter, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message != null ? message : root.getClass().getSimpleName();
    }
}
