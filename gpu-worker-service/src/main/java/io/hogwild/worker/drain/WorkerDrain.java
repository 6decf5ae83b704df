package io.hogwild.worker.drain;

import io.hogwild.worker.config.WorkerProperties;
import io.hogwild.worker.registry.RegistryHeartbeat;
import io.hogwild.worker.session.SessionService;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Graceful drain on SIGTERM (or any orderly shutdown), before the web server stops: the worker takes no new session
 * (503), its readiness goes down and its registration says {@code draining} (the dispatchers skip it), running
 * sessions get {@code hogwild.worker.drain-grace} to finish, and those still running then are given up so that their
 * runs resume on another worker. Only then does the server's own graceful shutdown begin.
 */
@Component
public class WorkerDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerDrain.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final SessionService sessions;
    private final RegistryHeartbeat heartbeat;
    private final ApplicationEventPublisher events;
    private final Duration grace;
    private volatile boolean running;

    public WorkerDrain(SessionService sessions, RegistryHeartbeat heartbeat, ApplicationEventPublisher events,
                       WorkerProperties properties) {
        this.sessions = sessions;
        this.heartbeat = heartbeat;
        this.events = events;
        this.grace = properties.drainGrace();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        sessions.drain();
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        try {
            heartbeat.beatNow();
        } catch (RuntimeException e) {
            log.warn("Could not mark this worker draining in the registry: {}", e.toString());
        }
        int active = sessions.activeSessions();
        log.info("Draining: {} running session(s) get up to {} to finish", active, grace);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (sessions.activeSessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis()); // the shutdown thread waits for the lockstep threads, nothing else
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sessions.activeSessions() > 0) {
            log.info("Drain grace over with {} session(s) still running", sessions.activeSessions());
            sessions.abandonActive();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown (which would cut the sessions' event streams). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
