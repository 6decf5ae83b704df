package io.hogwild.orchestrator.workers;

import io.hogwild.contracts.worker.RegistryKeys;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The GPU workers that heartbeat into Redis ({@code hogwild:workers:{id}} → WorkerRegistration JSON, with a TTL, and
 * their ids in the registry's index: {@link RegistryKeys}). A worker whose key expired, or whose last heartbeat is too
 * old, is gone.
 */
@Component
public class WorkerRegistry {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistry.class);

    private final ReactiveStringRedisTemplate redis;
    private final JsonMapper json;
    private final OrchestratorProperties.Registry config;
    private final RegistryKeys keys;
    private final Clock clock;

    public WorkerRegistry(ReactiveStringRedisTemplate redis, JsonMapper json, OrchestratorProperties properties,
                          Clock clock) {
        this.redis = redis;
        this.json = json;
        this.config = properties.registry();
        this.keys = new RegistryKeys(config.keyPrefix());
        this.clock = clock;
    }

    /**
     * Every live registration, in no particular order: the workers indexed within the last
     * {@link RegistryKeys#FORGET_AFTER}, read with one MGET (a worker whose key expired is skipped).
     */
    public Flux<WorkerRegistration> live() {
        double since = clock.millis() - RegistryKeys.FORGET_AFTER.toMillis();
        return redis.opsForZSet().rangeByScore(keys.index(), Range.rightUnbounded(Range.Bound.inclusive(since)))
                .map(keys::worker)
                .collectList()
                .filter(workerKeys -> !workerKeys.isEmpty())
                .flatMap(workerKeys -> redis.opsForValue().multiGet(workerKeys))
                .flatMapIterable(values -> values.stream().filter(Objects::nonNull).toList())
                .flatMap(this::parse)
                .filter(this::fresh);
    }

    /** The registration of one worker, empty when it is gone. */
    public Mono<WorkerRegistration> find(String workerId) {
        return redis.opsForValue().get(keys.worker(workerId)).flatMap(this::parse).filter(this::fresh);
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
