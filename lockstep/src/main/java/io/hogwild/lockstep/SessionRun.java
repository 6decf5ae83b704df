package io.hogwild.lockstep;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.contracts.worker.SessionStatus;
import io.hogwild.contracts.worker.WorkerProgress;
import java.util.List;

/**
 * One session as the service sees it: its plan, its event log, its state and counters (published by the lockstep
 * loop after every step, read by status requests on other threads) and the cancel flag the loop polls.
 */
public final class SessionRun {

    /** Counters the loop publishes after each lockstep pass. */
    record Progress(long lockstepPasses, List<WorkerProgress> workers, long cacheBytesAllocated, long cacheBytesUsed) {}

    private final SessionPlan plan;
    private final String sessionId;
    private final EventLog events;
    private final long reservedBytes;
    private final Runnable onFinished;
    private volatile SessionState state = SessionState.PREFILLING;
    private volatile boolean cancelRequested;
    private volatile boolean abandoned;
    private volatile Progress progress;
    private volatile String finalAnswer;
    private volatile String finishReason;
    /** Events a resumed session emits again but the run's log already holds: not published. */
    private long alreadyRecorded;

    /**
     * @param onFinished called once when the loop is over and the cache is freed, before SESSION_FINISHED is
     *     published: a client that sees SESSION_FINISHED may start a new session in the room this one left
     */
    public SessionRun(SessionPlan plan, String sessionId, int eventBufferSize, long reservedBytes,
                      Runnable onFinished) {
        this.plan = plan;
        this.sessionId = sessionId;
        this.alreadyRecorded = plan.resume() == null ? 0 : plan.resume().eventsRecorded();
        // A resumed session's events continue the original's numbering.
        this.events = new EventLog(eventBufferSize, alreadyRecorded);
        this.reservedBytes = reservedBytes;
        this.onFinished = onFinished;
        this.progress = new Progress(0, plan.workers().stream()
                .map(w -> new WorkerProgress(w.name(), 0, 0, "generating")).toList(), 0, 0);
    }

    public String sessionId() {
        return sessionId;
    }

    public SessionPlan plan() {
        return plan;
    }

    public EventLog events() {
        return events;
    }

    public long reservedBytes() {
        return reservedBytes;
    }

    public SessionState state() {
        return state;
    }

    public boolean isActive() {
        return state == SessionState.PREFILLING || state == SessionState.RUNNING;
    }

    /** Asks the loop to stop at its next lockstep pass; idempotent, and harmless once finished. */
    public void cancel() {
        cancelRequested = true;
    }

    /**
     * Stops the session without ending it (a worker shutting down before it finished): no more events, and every
     * stream of it ends without SESSION_FINISHED, which tells the orchestrator to resume the run elsewhere.
     */
    public void abandon() {
        abandoned = true;
        cancelRequested = true;
        events.close();
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Publishes an event; a resumed session's first {@code events_recorded} events are dropped (the loop's thread). */
    SessionEvent emit(long lockstep, EventData data) {
        if (abandoned) {
            return null;
        }
        if (alreadyRecorded > 0 && !(data instanceof EventData.SessionFinished || data instanceof EventData.Error)) {
            alreadyRecorded--;
            return null;
        }
        return events.append(seq -> new SessionEvent(sessionId, seq, System.currentTimeMillis(), lockstep, data));
    }

    void running() {
        state = SessionState.RUNNING;
    }

    void publish(Progress p) {
        progress = p;
    }

    /** Ends the session: final state, room released, then SESSION_FINISHED (last event). */
    void finish(SessionState finalState, long lockstep, EventData.SessionFinished finished) {
        this.finalAnswer = finished.answer();
        this.finishReason = finished.reason();
        this.state = finalState;
        Progress p = progress;
        progress = new Progress(p.lockstepPasses(), p.workers(), 0, 0);
        try {
            onFinished.run();
        } finally {
            if (!abandoned) {
                emit(lockstep, finished);
            }
        }
    }

    public SessionStatus status() {
        Progress p = progress;
        return new SessionStatus(sessionId, plan.runId(), state, p.lockstepPasses(), p.workers(),
                p.cacheBytesAllocated(), p.cacheBytesUsed(), finalAnswer, finishReason, events.lastSeq());
    }
}
