package io.hogwild.worker.registry;

import io.hogwild.contracts.worker.RegistryKeys;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.worker.config.WorkerProperties;
import io.hogwild.worker.served.ServedModel;
import io.hogwild.worker.session.SessionService;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Announces this worker in the Redis registry ({@link RegistryKeys}): every interval, key {@code prefix + id} gets the
 * current {@link WorkerRegistration} (JSON) with a TTL, so a worker that dies disappears on its own, and the registry's
 * index the time of this heartbeat (the orchestrator finds the workers through it); both are removed on an orderly
 * shutdown. Redis being down never stops the worker from serving the sessions it is given: the
 * failure is logged once (and the recovery), and the heartbeat keeps trying.
 */
@Component
public class RegistryHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(RegistryHeartbeat.class);
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);

    private final WorkerProperties properties;
    private final ObjectProvider<ReactiveStringRedisTemplate> redis;
    private final JsonMapper json;
    private final ServedModel model;
    private final SessionService sessions;
    private final Environment environment;
    private final String workerId;
    private final RegistryKeys keys;
    private volatile Disposable beating;
    private volatile boolean failing;

    public RegistryHeartbeat(WorkerProperties properties, ObjectProvider<ReactiveStringRedisTemplate> redis,
                             JsonMapper json, ServedModel model, SessionService sessions, Environment environment) {
        this.properties = properties;
        this.redis = redis;
        this.json = json;
        this.model = model;
        this.sessions = sessions;
        this.environment = environment;
        this.workerId = properties.id() == null || properties.id().isBlank() ? hostName() : properties.id();
        this.keys = new RegistryKeys(properties.registryPrefix());
    }

    public String workerId() {
        return workerId;
    }

    public String key() {
        return keys.worker(workerId);
    }

    /** The registration as it would be written now. */
    public WorkerRegistration registration() {
        String url = properties.advertisedUrl();
        if (url == null || url.isBlank()) {
            url = "http://127.0.0.1:" + environment.getProperty("local.server.port",
                    environment.getProperty("server.port", "8082"));
        }
        return new WorkerRegistration(workerId, url, model.info().id(), sessions.maxSessions(),
                sessions.activeSessions(), sessions.cacheBytesFree(), System.currentTimeMillis(), sessions.draining(),
                sessions.capacity());
    }

    /** Starts once the server listens, so the advertised port is the real one. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        ReactiveStringRedisTemplate template = redis.getIfAvailable();
        if (!properties.registryEnabled()) {
            log.info("Registry heartbeat disabled (hogwild.worker.registry-enabled=false)");
            return;
        }
        if (template == null) {
            log.warn("No Redis configured: worker {} is not announced in the registry", workerId);
            return;
        }
        beating = Flux.interval(Duration.ZERO, properties.heartbeatInterval())
                .onBackpressureDrop()
                .concatMap(tick -> beat(template), 1)
                .subscribe();
    }

    private Mono<Boolean> beat(ReactiveStringRedisTemplate template) {
        return Mono.fromCallable(this::registration)
                .flatMap(now -> template.opsForValue().set(key(), json.writeValueAsString(now),
                                properties.heartbeatTtl())
                        // Indexed after the key is written, so that a reader of the index finds the registration.
                        .then(template.opsForZSet().add(keys.index(), workerId, now.heartbeatAtMillis()))
                        .then(template.opsForZSet().removeRangeByScore(keys.index(), Range.leftUnbounded(
                                Range.Bound.exclusive((double) now.heartbeatAtMillis()
                                        - RegistryKeys.FORGET_AFTER.toMillis()))))
                        .thenReturn(true))
                .timeout(REDIS_TIMEOUT)
                .doOnSuccess(ok -> {
                    if (failing) {
                        failing = false;
                        log.info("Registry heartbeat to Redis works again ({})", key());
                    }
                })
                .onErrorResume(e -> {
                    if (!failing) {
                        failing = true;
                        log.warn("Registry heartbeat to Redis failed ({}); the worker keeps serving and retries "
                                + "every {}", e.toString(), properties.heartbeatInterval());
                    }
                    return Mono.empty();
                });
    }

    /** Writes the registration now (e.g. marked draining), not at the next tick; blocking, for the shutdown thread. */
    public void beatNow() {
        ReactiveStringRedisTemplate template = redis.getIfAvailable();
        if (beating != null && template != null) {
            beat(template).block(REDIS_TIMEOUT.multipliedBy(2));
        }
    }

    /** Leaves the registry at once on an orderly shutdown, rather than after the TTL. */
    @PreDestroy
    public void stop() {
        Disposable d = beating;
        if (d == null) {
            return;
        }
        d.dispose();
        ReactiveStringRedisTemplate template = redis.getIfAvailable();
        try {
            template.delete(key()).then(template.opsForZSet().remove(keys.index(), workerId))
                    .timeout(REDIS_TIMEOUT).onErrorResume(e -> Mono.empty()).block();
        } catch (RuntimeException e) {
            log.debug("Could not remove {} from the registry", key(), e);
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "gpu-worker";
        }
    }
}
