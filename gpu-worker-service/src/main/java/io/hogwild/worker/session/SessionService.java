package io.hogwild.worker.session;

import io.hogwild.lockstep.InvalidPlanException;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.PrefixCache;
import io.hogwild.lockstep.LockstepLoop;
import io.hogwild.lockstep.LockstepScheduler;
import io.hogwild.lockstep.PlanValidator;
import io.hogwild.lockstep.SessionRun;
import io.hogwild.lockstep.TokenChooser;
import io.hogwild.lockstep.ValidatedPlan;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.contracts.worker.WorkerCapacity;
import io.hogwild.web.ApiException;
import io.hogwild.worker.config.WorkerProperties;
import io.hogwild.worker.metrics.WorkerMetrics;
import io.hogwild.worker.served.ServedModel;
import jakarta.annotation.PreDestroy;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Admits sessions and runs them all in one engine loop ({@link LockstepScheduler}): every lockstep pass of every
 * active session goes into one joint forward pass, sessions join and leave between passes.
 *
 * <p>Admission reserves the session's worst-case cache bytes ({@link PlanValidator#estimateCacheBytes}) against
 * the configured budget, and its decode tokens (one per worker) against the per-pass token budget, keeping room for
 * one prefill chunk so that joining sessions always progress; {@code max-sessions} is only a cap on top. A session
 * that does not fit is refused with 503 and {@code Retry-After} instead of risking an out-of-memory failure halfway
 * through every running session. The reservations are released when the session's cache is freed.
 *
 * <p>The engine loop runs on its own thread, never on a Netty event-loop thread.
 */
@Service
public class SessionService {

    private static final Logger log = LoggerFactory.getLogger(SessionService.class);

    private final ServedModel model;
    private final WorkerProperties properties;
    private final WorkerMetrics metrics;
    private final TokenChooser.Factory choosers;
    private final PlanValidator validator;
    private final LockstepScheduler scheduler;
    private final PrefixCache prefixCache;
    private final Map<String, SessionRun> sessions = new ConcurrentHashMap<>();
    private final ArrayDeque<String> finishedOrder = new ArrayDeque<>();
    private final long cacheBudget;
    private int active;
    private long reserved;
    private volatile boolean draining;
    private int decodeTokensReserved;

    public SessionService(ServedModel model, WorkerProperties properties, WorkerMetrics metrics,
                          TokenChooser.Factory choosers) {
        this.model = model;
        this.properties = properties;
        this.metrics = metrics;
        this.choosers = choosers;
        this.validator = new PlanValidator(model.languageModel());
        this.cacheBudget = properties.cacheBudget().toBytes();
        long prefixBudget = properties.prefixCacheBudget().toBytes();
        this.prefixCache = prefixBudget > 0 ? new PrefixCache(model.languageModel().transformer(), prefixBudget) : null;
        this.scheduler = new LockstepScheduler(model.languageModel().transformer(), properties.passTokenBudget(),
                "lockstep-engine");
        metrics.gauge("hogwild.worker.sessions.active", "Sessions prefilling or running", this::activeSessions);
        metrics.gauge("hogwild.worker.cache.bytes", "Cache bytes allocated by running sessions",
                this::cacheBytesAllocated);
        metrics.gauge("hogwild.worker.cache.bytes.reserved", "Worst-case cache bytes reserved by admission",
                this::cacheBytesReserved);
    }

    /** Validates, admits and starts a session; blocking work (tokenizing): call it off the event loop. */
    public SessionStatus start(SessionPlan plan) {
        ValidatedPlan validated = validated(plan);
        String id = validated.sessionId();
        long bytes = validated.estimatedCacheBytes();
        int decodeTokens = plan.workers().size();
        SessionRun run;
        synchronized (this) {
            if (draining) {
                metrics.rejected("draining");
                throw noRoom("this worker is shutting down", bytes);
            }
            if (sessions.containsKey(id)) {
                throw ApiException.conflict("session '" + id + "' already exists").atField("session_id");
            }
            if (active >= properties.maxSessions()) {
                metrics.rejected("sessions");
                throw noRoom("all " + properties.maxSessions() + " session slots are in use", bytes);
            }
            if (prefixCache != null && bytes > cacheBudget - reserved - prefixCache.bytes()) {
                // Shared prefixes give way to sessions: evicting one costs a later session a recomputation only.
                prefixCache.evictDownTo(cacheBudget - reserved - bytes);
            }
            if (bytes > cacheBudget - reserved - prefixBytes()) {
                metrics.rejected("cache");
                throw noRoom(bytes > cacheBudget
                        ? "the session needs up to " + bytes + " bytes of cache, more than this worker's whole "
                                + "budget of " + cacheBudget + " bytes (lower the budgets or use another worker)"
                        : "the session needs up to " + bytes + " bytes of cache; " + cacheBytesFree()
                                + " of " + cacheBudget + " are free", bytes);
            }
            if (decodeTokens > decodeTokenRoom() - decodeTokensReserved) {
                metrics.rejected("pass-tokens");
                throw noRoom("the running sessions' " + decodeTokensReserved + " decode tokens per pass leave no "
                        + "room for " + decodeTokens + " more in the pass token budget of "
                        + properties.passTokenBudget(), bytes);
            }
            active++;
            reserved += bytes;
            decodeTokensReserved += decodeTokens;
            run = new SessionRun(plan, id, properties.eventBufferSize(), bytes,
                    () -> release(id, bytes, decodeTokens));
            sessions.put(id, run);
        }
        scheduler.submit(new LockstepLoop(validated, model.languageModel(), choosers, run, metrics, prefixCache));
        log.info("Session {} started: {} workers, {} prompt tokens, up to {} cache bytes", id,
                plan.workers().size(), validated.promptTokens(), bytes);
        return run.status();
    }

    /** The plan checked against the model; a plan it cannot run is the client's mistake (400 naming the field). */
    private ValidatedPlan validated(SessionPlan plan) {
        try {
            return validator.validate(plan);
        } catch (InvalidPlanException e) {
            throw ApiException.badRequest(e.field(), e.getMessage());
        }
    }

    private ApiException noRoom(String why, long bytes) {
        return ApiException.unavailable("worker-full", "No room for a session", "no room for a new session: " + why,
                        properties.retryAfter())
                .with("cache_bytes_needed", bytes)
                .with("cache_bytes_free", cacheBytesFree())
                .with("active_sessions", activeSessions())
                .with("max_sessions", properties.maxSessions())
                .with("pass_token_budget", properties.passTokenBudget());
    }

    /** Decode tokens a pass may hold while one prefill chunk still fits beside them. */
    private int decodeTokenRoom() {
        return properties.passTokenBudget() - HogwildSession.DEFAULT_PREFILL_CHUNK;
    }

    private synchronized void release(String id, long bytes, int decodeTokens) {
        active--;
        reserved -= bytes;
        decodeTokensReserved -= decodeTokens;
        notifyAll();
        finishedOrder.addLast(id);
        while (finishedOrder.size() > properties.retainFinishedSessions()) {
            sessions.remove(finishedOrder.removeFirst());
        }
    }

    public SessionRun get(String id) {
        SessionRun run = sessions.get(id);
        if (run == null) {
            throw ApiException.notFound("no session '" + id + "' on this worker");
        }
        return run;
    }

    public List<SessionStatus> list() {
        return sessions.values().stream().map(SessionRun::status)
                .sorted(Comparator.comparing(SessionStatus::sessionId)).toList();
    }

    public SessionStatus cancel(String id) {
        SessionRun run = get(id);
        run.cancel();
        return run.status();
    }

    public synchronized int activeSessions() {
        return active;
    }

    public synchronized long cacheBytesReserved() {
        return reserved;
    }

    public synchronized long cacheBytesFree() {
        return Math.max(0, cacheBudget - reserved - prefixBytes());
    }

    private long prefixBytes() {
        return prefixCache == null ? 0 : prefixCache.bytes();
    }

    public long cacheBytesAllocated() {
        return sessions.values().stream().mapToLong(r -> r.status().cacheBytesAllocated()).sum();
    }

    public int maxSessions() {
        return properties.maxSessions();
    }

    /** Takes no new session from now on (503, as when full: the orchestrator tries another worker). */
    public void drain() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Gives up the sessions still running: their streams end unfinished, so that their runs resume elsewhere. */
    public void abandonActive() {
        sessions.values().stream().filter(SessionRun::isActive).forEach(run -> {
            log.info("Session {} given up at shutdown; its run resumes on another worker", run.sessionId());
            run.abandon();
        });
    }

    /** What this worker can still take on: reported in {@code GET /v1/model} and the registry. */
    public synchronized WorkerCapacity capacity() {
        return new WorkerCapacity(properties.maxSessions(), active, properties.passTokenBudget(),
                decodeTokensReserved, cacheBudget, cacheBytesFree(), prefixBytes(),
                prefixCache == null ? 0 : prefixCache.entries());
    }

    /** Cancels every session and waits a little for the loop to free their caches before the model goes. */
    @PreDestroy
    public void shutdown() {
        sessions.values().forEach(SessionRun::cancel);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (this) {
            try {
                while (active > 0 && System.nanoTime() < deadline) {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (active > 0) {
                log.warn("{} sessions still active 30 s after shutdown began", active);
            }
        }
        scheduler.close();
        if (prefixCache != null) {
            prefixCache.close();
        }
    }
}
