package io.hogwild.worker.config;

import io.hogwild.engine.HogwildSession;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of this GPU worker ({@code hogwild.worker.*}, or the {@code HOGWILD_WORKER_*} environment variables).
 * Defaults live here rather than in application.yml so that the service behaves the same when another module
 * starts it from its own test classpath (whose application.yml would shadow ours).
 *
 * @param id unique id in the registry; empty means the host name
 * @param advertisedUrl base URL the orchestrator calls; empty means {@code http://127.0.0.1:<local port>}
 * @param device {@code auto} (a GPU when libtorch sees one), {@code cpu} or {@code gpu}
 * @param dtype the engine's compute dtype (weights, cache, attention; norms, softmax and logits stay float32):
 *     {@code auto} (float32 on the CPU, the checkpoint's own dtype on a GPU), {@code float32}, {@code float16}, or
 *     {@code bfloat16} (GPU only)
 * @param maxSessions sessions that may run at once, a cap on top of memory and the pass token budget (they share one
 *     engine loop: no thread per session)
 * @param passTokenBudget most tokens one joint forward pass holds: every active session's decode tokens (one per
 *     worker), then prefill chunks of joining sessions; admission keeps one prefill chunk of room beside the decode
 *     tokens
 * @param cacheBudget cache memory all sessions together may reserve; admission refuses what would not fit
 * @param prefixCacheBudget bytes of shared prompt prefixes (computed once, copied into every session that starts
 *     with them) kept at most; they count against {@code cacheBudget} and are evicted, least recently used first,
 *     when a session needs the room; 0 turns prefix reuse off
 * @param heartbeatInterval how often the registration is rewritten in Redis
 * @param heartbeatTtl how long a registration lives without a heartbeat
 * @param registryPrefix Redis key prefix; the key is prefix + id
 * @param registryEnabled publish the registration at all (off for tools and some tests)
 * @param eventBufferSize events kept per session for late or reconnecting readers (oldest dropped beyond)
 * @param retainFinishedSessions finished sessions kept for inspection and replay of their events
 * @param retryAfter what a refused session is told to wait before trying again
 * @param drainGrace on SIGTERM, how long running sessions may go on to finish; those still running then are given up
 *     (their streams end without SESSION_FINISHED) and the orchestrator resumes them on another worker. The Helm
 *     chart's terminationGracePeriodSeconds and preStop hook are sized from it.
 */
@ConfigurationProperties("hogwild.worker")
public record WorkerProperties(
        String id,
        String advertisedUrl,
        @DefaultValue("auto") String device,
        @DefaultValue("auto") String dtype,
        @DefaultValue("16") int maxSessions,
        @DefaultValue("512") int passTokenBudget,
        @DefaultValue("2GB") DataSize cacheBudget,
        @DefaultValue("256MB") DataSize prefixCacheBudget,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue("10s") Duration heartbeatTtl,
        @DefaultValue("hogwild:workers:") String registryPrefix,
        @DefaultValue("true") boolean registryEnabled,
        @DefaultValue("100000") int eventBufferSize,
        @DefaultValue("32") int retainFinishedSessions,
        @DefaultValue("5s") Duration retryAfter,
        @DefaultValue("30s") Duration drainGrace) {

    public WorkerProperties {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("hogwild.worker.max-sessions must be >= 1, got " + maxSessions);
        }
        if (passTokenBudget < HogwildSession.DEFAULT_PREFILL_CHUNK + 1) {
            throw new IllegalArgumentException("hogwild.worker.pass-token-budget must be > "
                    + HogwildSession.DEFAULT_PREFILL_CHUNK + " (one prefill chunk and a decode token), got "
                    + passTokenBudget);
        }
        if (eventBufferSize < 16) {
            throw new IllegalArgumentException("hogwild.worker.event-buffer-size must be >= 16");
        }
        if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
            throw new IllegalArgumentException("hogwild.worker.heartbeat-interval must be positive");
        }
    }
}
