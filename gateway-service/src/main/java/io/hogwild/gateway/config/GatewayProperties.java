package io.hogwild.gateway.config;

import io.hogwild.web.ResilienceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything the gateway can be tuned with, under {@code hogwild.gateway}; the defaults here are the documented ones.
 * Environment variables follow Spring's relaxed binding ({@code HOGWILD_GATEWAY_ORCHESTRATOR_URL},
 * {@code HOGWILD_GATEWAY_RATE_LIMIT_BURST}, ...).
 */
@ConfigurationProperties("hogwild.gateway")
public record GatewayProperties(
        /* Base URL of the orchestrator's internal and admin API; several, comma separated, for failover. */
        @DefaultValue("http://localhost:8081") String orchestratorUrl,
        /* User keys: a file of "<name>:<sha256-hex>" lines (the Helm Secret's layout). */
        Path apiKeysFile,
        /* Admin keys, same format. */
        Path adminKeysFile,
        @DefaultValue DevKeys devKeys,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue Security security,
        @DefaultValue Resilience resilience,
        /* Largest request body accepted; larger ones get 413. */
        @DefaultValue("64KB") DataSize maxRequestBody,
        /* Largest admin response buffered from the orchestrator (transcripts, event pages). */
        @DefaultValue("32MB") DataSize maxProxiedResponse,
        /* A comment line is sent on idle event streams this often, so proxies keep them open. */
        @DefaultValue("15s") Duration sseHeartbeat) {

    /**
     * Plaintext keys for local development ({@code HOGWILD_API_KEY}, {@code HOGWILD_ADMIN_KEY}), hashed at start and
     * then forgotten; named {@code dev-user} and {@code dev-admin}.
     */
    public record DevKeys(String user, String admin) {
        /** Never print the keys, whatever logs or dumps this record. */
        @Override
        public String toString() {
            return "DevKeys[user=" + (user == null || user.isBlank() ? "unset" : "set")
                    + ", admin=" + (admin == null || admin.isBlank() ? "unset" : "set") + "]";
        }
    }

    /** Per-key token bucket in Redis: {@code burst} requests at once, refilled at {@code requestsPerMinute}. */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("60") int requestsPerMinute,
            @DefaultValue("20") int burst,
            @DefaultValue("hogwild:gateway:ratelimit:") String keyPrefix) {}

    public record Security(
            /* Paths (Spring path patterns) open without a key besides the health probes, e.g. /v3/api-docs/**. */
            @DefaultValue List<String> publicPaths,
            /* How often the key files are checked for changes (Kubernetes updates mounted Secrets in place). */
            @DefaultValue("10s") Duration keysReloadInterval) {}

    /** How the orchestrator is called. */
    public record Resilience(
            @DefaultValue("2s") Duration connectTimeout,
            /* Limit for one call (creating a run only queues it; the rest are reads and cancels). */
            @DefaultValue("30s") Duration callTimeout,
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("10") int slidingWindowSize,
            @DefaultValue("5") int minimumNumberOfCalls,
            @DefaultValue("10s") Duration waitInOpenState,
            @DefaultValue("2") int permittedCallsInHalfOpenState,
            /* Attempts for idempotent GETs, the first included; writes are never repeated. */
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("100ms") Duration retryWait) implements ResilienceSettings {}
}
