package io.hogwild.contracts.worker;

import java.time.Duration;

/**
 * Where GPU workers announce themselves in Redis, for the workers that write it and the orchestrator that reads it.
 *
 * <p>Each worker's {@link WorkerRegistration} is a JSON string under {@code prefix + id} with a TTL, and its id is also a
 * member of one sorted set, the index, scored by the time of its last heartbeat (epoch ms). Finding the workers then
 * reads the index and their keys: two round trips whatever else the database holds. Scanning the keyspace for the
 * prefix instead (as orchestrators before the index did) costs one round trip per hundred keys, and the keyspace grows
 * with every run kept. The index is named after the prefix but outside it ({@code hogwild:workers-index} for
 * {@code hogwild:workers:}), so that such a scan never takes it for a worker's key during an upgrade.
 *
 * @param prefix the key prefix, {@code hogwild:workers:} by default
 */
public record RegistryKeys(String prefix) {

    /**
     * Index entries not refreshed for this long are removed by the heartbeats of the other workers: their worker is
     * long gone (a live worker refreshes its entry every few seconds), and its key has expired.
     */
    public static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    /** The key holding one worker's registration. */
    public String worker(String workerId) {
        return prefix + workerId;
    }

    /** The sorted set of worker ids, scored by their last heartbeat: the prefix without its trailing colon + "-index". */
    public String index() {
        return (prefix.endsWith(":") ? prefix.substring(0, prefix.length() - 1) : prefix) + "-index";
    }
}
