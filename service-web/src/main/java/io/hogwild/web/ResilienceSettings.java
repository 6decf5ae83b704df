package io.hogwild.web;

import java.time.Duration;

/**
 * What {@link ResilienceFactory} needs to know about calls to one downstream service; a service's
 * {@code @ConfigurationProperties} record implements it with its own names and defaults.
 */
public interface ResilienceSettings {

    /** The time limit of one call. */
    Duration callTimeout();

    /** Failure percentage (of the sliding window) at which the circuit opens. */
    float failureRateThreshold();

    /** Calls in the count-based sliding window. */
    int slidingWindowSize();

    /** Calls needed before the failure rate counts. */
    int minimumNumberOfCalls();

    /** How long an open circuit refuses calls before letting a few try again. */
    Duration waitInOpenState();

    int permittedCallsInHalfOpenState();

    /** Attempts of a retried call, the first included. */
    int maxAttempts();

    Duration retryWait();
}
