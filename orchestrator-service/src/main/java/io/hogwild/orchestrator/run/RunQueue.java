package io.hogwild.orchestrator.run;

import io.hogwild.orchestrator.config.OrchestratorProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The durable queue of runs in Redis: per-client FIFO lists served round robin (see API.md, "Keys" and "Scripts").
 * Every operation is one script or one command, so any number of orchestrators share it safely. Runs enter it through
 * {@link RunStore#enqueue}, which records the run in the same step.
 */
@Component
public class RunQueue {

    /** A claimed run: this instance holds its lease and must start it, fail it or put it back. */
    public record Claim(String runId, String client) {}

    /** The queue as the admin API shows it. */
    public record Snapshot(long depth, int maxDepth, long dispatching, long drainedInWindow, long windowSeconds,
                           Map<String, List<String>> clients) {}

    private final ReactiveStringRedisTemplate redis;
    private final OrchestratorProperties.Queue config;
    private final QueueKeys keys;
    private final Clock clock;
    private final RedisScript<String> claimScript = LuaScripts.load("claim", String.class);
    private final RedisScript<Long> requeueScript = LuaScripts.load("requeue", Long.class);
    private final RedisScript<Long> dequeueScript = LuaScripts.load("dequeue", Long.class);
    private final RedisScript<Long> positionScript = LuaScripts.load("queue-position", Long.class);

    @Autowired
    public RunQueue(ReactiveStringRedisTemplate redis, OrchestratorProperties properties, Clock clock) {
        this(redis, properties.queue(), clock);
    }

    /** A queue with these settings (its own key prefix among them). */
    RunQueue(ReactiveStringRedisTemplate redis, OrchestratorProperties.Queue config, Clock clock) {
        this.redis = redis;
        this.config = config;
        this.keys = new QueueKeys(config.keyPrefix());
        this.clock = clock;
    }

    public QueueKeys keys() {
        return keys;
    }

    /** The next run in round-robin order, claimed by {@code instance} with a lease; empty when nothing is queued. */
    public Mono<Claim> claim(String instance, Duration lease) {
        long now = clock.millis();
        return redis.execute(claimScript, List.of(keys.ring(), keys.pending(), keys.dispatching(), keys.drained()),
                        List.of(keys.clientPrefix(), RunKeys.RUN_PREFIX, instance, Long.toString(lease.toMillis()),
                                Long.toString(now), Long.toString(config.drainWindow().toMillis())))
                .next()
                .map(reply -> {
                    int newline = reply.indexOf('\n');
                    return new Claim(reply.substring(0, newline), reply.substring(newline + 1));
                });
    }

    /** Puts a claimed run back at the head of its client's queue; false when it was not ours or not QUEUED. */
    public Mono<Boolean> requeue(Claim claim, String instance) {
        return redis.execute(requeueScript, List.of(keys.client(claim.client()), keys.ring(), keys.pending(),
                        keys.dispatching(), keys.drained(), RunKeys.owner(claim.runId()), RunKeys.run(claim.runId())),
                List.of(claim.runId(), claim.client(), instance)).next().map(n -> n == 1L);
    }

    /** Ends a claim: the run started (or ended) and is no longer being dispatched. */
    public Mono<Void> settle(String runId) {
        return redis.opsForSet().remove(keys.dispatching(), runId).then();
    }

    /** Takes a cancelled run out of the queue (no effect when it is not there). */
    public Mono<Void> remove(String runId, String client) {
        return redis.execute(dequeueScript, List.of(keys.client(client), keys.ring(), keys.pending()),
                List.of(runId, client)).then();
    }

    /** The run's 1-based place (0 = being dispatched); empty when it is not in the queue. */
    public Mono<Integer> position(String runId, String client) {
        return redis.execute(positionScript, List.of(keys.ring(), keys.client(client), keys.dispatching()),
                        List.of(runId, client, keys.clientPrefix()))
                .next()
                .filter(position -> position >= 0)
                .map(Long::intValue);
    }

    public Mono<Long> depth() {
        return redis.opsForList().size(keys.pending()).defaultIfEmpty(0L);
    }

    /** Runs claimed and not yet started, by any instance. */
    public Flux<String> dispatching() {
        return redis.opsForSet().members(keys.dispatching());
    }

    /** Runs dispatched within the drain window. */
    public Mono<Long> drainedInWindow() {
        long now = clock.millis();
        return redis.opsForZSet().count(keys.drained(),
                        Range.closed((double) (now - config.drainWindow().toMillis()), (double) now))
                .defaultIfEmpty(0L);
    }

    /**
     * How long a client refused for a full queue should wait: until, at the drain rate of the window, the queue has
     * shrunk below its limit by one.
     */
    public Mono<Duration> retryAfter(long depth) {
        return drainedInWindow().map(drained -> {
            if (drained == 0) {
                return config.idleRetryAfter();
            }
            double perSecond = drained / (double) config.drainWindow().toSeconds();
            long excess = Math.max(1, depth - config.maxDepth() + 1);
            long seconds = (long) Math.ceil(excess / perSecond);
            return Duration.ofSeconds(Math.max(1, Math.min(seconds, config.maxRetryAfter().toSeconds())));
        });
    }

    public Mono<Snapshot> snapshot() {
        Mono<Map<String, List<String>>> clients = redis.opsForList().range(keys.ring(), 0, -1)
                .concatMap(client -> redis.opsForList().range(keys.client(client), 0, -1).collectList()
                        .map(ids -> Map.entry(client, ids)))
                .collect(LinkedHashMap::new, (map, e) -> map.put(e.getKey(), e.getValue()));
        return Mono.zip(depth(), redis.opsForSet().size(keys.dispatching()).defaultIfEmpty(0L), drainedInWindow(),
                        clients)
                .map(t -> new Snapshot(t.getT1(), config.maxDepth(), t.getT2(), t.getT3(),
                        config.drainWindow().toSeconds(), t.getT4()));
    }
}
