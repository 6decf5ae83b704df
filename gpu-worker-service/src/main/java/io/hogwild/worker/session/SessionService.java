package io.hogwild.worker.session;

import io.hogwild.lockstep.InvalidPlanException;
import io.hogwild.lockstep.LockstepLoop;
import io.hogwild.lockstep.PlanValidator;
import io.hogwild.lockstep.SessionRun;
import io.hogwild.lockstep.TokenChooser;
import io.hogwild.lockstep.ValidatedPlan;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.web.ApiException;
import io.hogwild.worker.config.WorkerProperties;
import io.hogwild.worker.metrics.WorkerMetrics;
import io.hogwild.worker.served.ServedModel;
import jakarta.annotation.PreDestroy;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Admits sessions and runs each on its own lockstep thread.
 *
 * <p>Admission reserves the session's worst-case cache bytes ({@link PlanValidator#estimateCacheBytes}) against
 * the configured budget and counts it against the session limit; a session that does not fit is refused with 503
 * and {@code Retry-After} instead of risking an out-of-memory failure halfway through every running session.
 * The reservation is released when the session's cache is freed.
 *
 * <p>Lockstep threads come from a fixed pool of {@code max-sessions} threads: a step is seconds of device work at
 * worst, and never runs on a Netty event-loop thread.
 */
@Service
public class SessionService {

    private static final Logger log = LoggerFactory.getLogger(SessionService.class);

    private final ServedModel model;
    private final WorkerProperties properties;
    private final WorkerMetrics metrics;
    private final TokenChooser.Factory choosers;
    private final PlanValidator validator;
    private final ThreadPoolExecutor executor;
    private final Map<String, SessionRun> sessions = new ConcurrentHashMap<>();
    private final ArrayDeque<String> finishedOrder = new ArrayDeque<>();
    private final long cacheBudget;
    private int active;
    private long reserved;
    private volatile boolean draining;

    public SessionService(ServedModel model, WorkerProperties properties, WorkerMetrics metrics,
                          TokenChooser.Factory choosers) {
        this.model = model;
        this.properties = properties;
        this.metrics = metrics;
        this.choosers = choosers;
        this.validator = new PlanValidator(model.languageModel());
        this.cacheBudget = properties.cacheBudget().toBytes();
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(properties.maxSessions(), properties.maxSessions(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(properties.maxSessions()), r -> {
                    Thread t = new Thread(r, "lockstep-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
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
            if (bytes > cacheBudget - reserved) {
                metrics.rejected("cache");
                throw noRoom(bytes > cacheBudget
                        ? "the session needs up to " + bytes + " bytes of cache, more than this worker's whole "
                                + "budget of " + cacheBudget + " bytes (lower the budgets or use another worker)"
                        : "the session needs up to " + bytes + " bytes of cache; " + (cacheBudget - reserved)
                                + " of " + cacheBudget + " are free", bytes);
            }
            active++;
            reserved += bytes;
            run = new SessionRun(plan, id, properties.eventBufferSize(), bytes, () -> release(id, bytes));
            sessions.put(id, run);
        }
        try {
            executor.execute(new LockstepLoop(validated, model.languageModel(), choosers, run, metrics));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                sessions.remove(id);
                active--;
                reserved -= bytes;
            }
            metrics.rejected("sessions");
            throw noRoom("no lockstep thread is free", bytes);
        }
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
                .with("max_sessions", properties.maxSessions());
    }

    private synchronized void release(String id, long bytes) {
        active--;
        reserved -= bytes;
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
        return Math.max(0, cacheBudget - reserved);
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

    /** Cancels every session and waits a little for the loops to free their caches before the model goes. */
    @PreDestroy
    public void shutdown() {
        sessions.values().forEach(SessionRun::cancel);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Lockstep threads still busy after 30 s at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
