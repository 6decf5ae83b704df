package io.hogwild.orchestrator.run;

import io.lettuce.core.RedisException;
import java.time.Duration;
import org.slf4j.Logger;
import org.springframework.dao.DataAccessException;
import reactor.util.retry.Retry;

/**
 * Redis being away for a while (restarting, failing over) is an outage to wait out, not a reason to fail a run: the
 * GPU worker keeps computing and buffers its events, and Lettuce reconnects on its own.
 */
final class RedisOutages {

    private RedisOutages() {
    }

    static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessException || t instanceof RedisException) {
                return true;
            }
        }
        return false;
    }

    /** Retries while Redis is away, backing off to {@code maxBackoff}; logs the first retry of each outage. */
    static Retry waitOut(Logger log, String what, Duration maxBackoff) {
        return Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
                .maxBackoff(maxBackoff)
                .transientErrors(true)
                .filter(RedisOutages::isOutage)
                .doBeforeRetry(signal -> {
                    if (signal.totalRetriesInARow() == 0) {
                        log.warn("Redis unavailable while {}: retrying until it is back ({})", what,
                                signal.failure().toString());
                    }
                });
    }
}
