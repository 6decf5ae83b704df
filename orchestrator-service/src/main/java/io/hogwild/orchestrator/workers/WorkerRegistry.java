package io.hogwild.orchestrator.workers;

import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The GPU workers that heartbeat into Redis ({@code hogwild:workers:{id}} → WorkerRegistration JSON, with a TTL).
 * A worker whose key expired, or whose last heartbeat is too old, is gone.
 */
@Component
public class WorkerRegistry {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistry.class);

    private final ReactiveStringRedisTemplate redis;
    private final JsonMapper json;
    private final OrchestratorProperties.Registry config;
    private final WorkerResilience resilience;
    private final Clock clock;

    public WorkerRegistry(ReactiveStringRedisTemplate redis, JsonMapper json, OrchestratorProperties properties,
                          WorkerResilience resilience, Clock clock) {
        this.redis = redis;
        this.json = json;
        this.config = properties.registry();
        this.resilience = resilience;
        this.clock = clock;
    }

    /** Every live registration, in no particular order. */
    public Flux<WorkerRegistration> live() {
        return redis.scan(ScanOptions.scanOptions().match(config.keyPrefix() + "*").count(100).build())
                .flatMap(key -> redis.opsForValue().get(key))
                .flatMap(this::parse)
                .filter(this::fresh);
    }

    /** The registration of one worker, empty when it is gone. */
    public Mono<WorkerRegistration> find(String workerId) {
        return redis.opsForValue().get(config.keyPrefix() + workerId).flatMap(this::parse).filter(this::fresh);
    }

    /**
     * The worker to run a new session on: serves the model (any model when {@code modelId} is null), has a free
     * session slot, and its circuit is not open; the one with most free slots, then most free cache memory, wins.
     */
    public Mono<WorkerRegistration> select(String modelId) {
        return live().collectList().flatMap(all -> {
            if (all.isEmpty()) {
                return Mono.error(new WorkerBusyException("No GPU worker is registered right now.", config.retryAfter()));
            }
            List<WorkerRegistration> serving = all.stream()
                    .filter(w -> modelId == null || modelId.equals(w.modelId()))
                    .toList();
            if (serving.isEmpty()) {
                return Mono.error(new WorkerBusyException("No GPU worker serves model '" + modelId + "' right now.",
                        config.retryAfter()));
            }
            List<WorkerRegistration> withRoom = serving.stream()
                    .filter(w -> w.maxSessions() - w.activeSessions() > 0)
                    .toList();
            if (withRoom.isEmpty()) {
                return Mono.error(new WorkerBusyException("All " + serving.size()
                        + " GPU worker(s) for this model are at their session limit.", config.retryAfter()));
            }
            return withRoom.stream()
                    .filter(w -> resilience.circuitBreaker(w.workerId()).getState() != CircuitBreaker.State.OPEN)
                    .max(Comparator.<WorkerRegistration>comparingInt(w -> w.maxSessions() - w.activeSessions())
                            .thenComparingLong(WorkerRegistration::cacheBytesFree))
                    .map(Mono::just)
                    // Every candidate keeps failing: say so rather than calling them again.
                    .orElseGet(() -> Mono.error(new WorkerUnavailableException("GPU worker(s) "
                            + withRoom.stream().map(WorkerRegistration::workerId).toList()
                            + " keep failing; their circuit breaker is open, so no call was attempted.",
                            resilience.waitInOpenState(), null)));
        });
    }

    private Mono<WorkerRegistration> parse(String value) {
        try {
            return Mono.just(json.readValue(value, WorkerRegistration.class));
        } catch (RuntimeException e) {
            // One bad entry must not hide the others.
            log.warn("ignoring unreadable worker registration: {}", e.getMessage());
            return Mono.empty();
        }
    }

    private boolean fresh(WorkerRegistration registration) {
        if (config.maxHeartbeatAge().isZero()) {
            return true;
        }
        return clock.millis() - registration.heartbeatAtMillis() <= config.maxHeartbeatAge().toMillis();
    }
}
