package io.hogwild.orchestrator.workers;

import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import java.time.Clock;
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
    private final Clock clock;

    public WorkerRegistry(ReactiveStringRedisTemplate redis, JsonMapper json, OrchestratorProperties properties,
                          Clock clock) {
        this.redis = redis;
        this.json = json;
        this.config = properties.registry();
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
