package io.hogwild.contracts.worker;

/**
 * What a GPU worker publishes in the Redis registry with each heartbeat.
 *
 * @param workerId unique id (pod name)
 * @param url base URL the orchestrator calls
 * @param modelId the model it serves
 * @param maxSessions session limit
 * @param activeSessions sessions running now
 * @param cacheBytesFree cache memory still available for new sessions
 * @param heartbeatAtMillis when this heartbeat was written
 * @param draining the worker is shutting down: it takes no new session and finishes (or gives up) those it runs
 * @param capacity the full admission picture (null from workers that do not report it)
 */
public record WorkerRegistration(String workerId, String url, String modelId, int maxSessions, int activeSessions,
                                 long cacheBytesFree, long heartbeatAtMillis, boolean draining,
                                 WorkerCapacity capacity) {

    /** A registration without the capacity details. */
    public WorkerRegistration(String workerId, String url, String modelId, int maxSessions, int activeSessions,
                              long cacheBytesFree, long heartbeatAtMillis, boolean draining) {
        this(workerId, url, modelId, maxSessions, activeSessions, cacheBytesFree, heartbeatAtMillis, draining, null);
    }

    /** A registration of a worker that is not draining. */
    public WorkerRegistration(String workerId, String url, String modelId, int maxSessions, int activeSessions,
                              long cacheBytesFree, long heartbeatAtMillis, WorkerCapacity capacity) {
        this(workerId, url, modelId, maxSessions, activeSessions, cacheBytesFree, heartbeatAtMillis, false, capacity);
    }

    /** A registration without the capacity details, not draining. */
    public WorkerRegistration(String workerId, String url, String modelId, int maxSessions, int activeSessions,
                              long cacheBytesFree, long heartbeatAtMillis) {
        this(workerId, url, modelId, maxSessions, activeSessions, cacheBytesFree, heartbeatAtMillis, false, null);
    }
}
