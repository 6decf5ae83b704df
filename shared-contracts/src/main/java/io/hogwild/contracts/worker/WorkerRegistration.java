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
 */
public record WorkerRegistration(String workerId, String url, String modelId, int maxSessions, int activeSessions,
                                 long cacheBytesFree, long heartbeatAtMillis, boolean draining) {}
