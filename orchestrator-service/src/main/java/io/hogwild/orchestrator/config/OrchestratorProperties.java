package io.hogwild.orchestrator.config;

import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.web.ResilienceSettings;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything the orchestrator can be tuned with, under {@code hogwild.orchestrator}. Defaults here are the documented
 * ones; application.yml only overrides what differs per environment.
 */
@ConfigurationProperties("hogwild.orchestrator")
public record OrchestratorProperties(
        @DefaultValue Defaults defaults,
        @DefaultValue Limits limits,
        @DefaultValue Registry registry,
        @DefaultValue Resilience resilience,
        @DefaultValue Events events,
        @DefaultValue Queue queue,
        @DefaultValue Resume resume) {

    /** Values a run request may leave out. */
    public record Defaults(
            @DefaultValue("2") int workers,
            @DefaultValue("COMBINED") Layout layout,
            /* Lowered per run to the largest budget that fits the model's context when the request has none. */
            @DefaultValue("1024") int maxTokensPerWorker,
            @DefaultValue("512") int maxStepTokens,
            @DefaultValue("0.6") double temperature,
            @DefaultValue("0.95") double topP,
            @DefaultValue("20") int topK,
            @DefaultValue("1024") int selfCheckEvery,
            @DefaultValue("16") int finisherTokens,
            @DefaultValue("false") boolean fewShot,
            @DefaultValue("true") boolean enableThinking) {

        /**
         * The request with every default filled in. {@code single} always has one worker; the caller has validated
         * the request already.
         *
         * @param defaultSeed the seed when the request has none (recorded in the plan, so a run can be repeated)
         */
        public RunSettings resolve(RunRequest request, long defaultSeed) {
            Layout layout = Objects.requireNonNullElse(request.layout(), layout());
            int count = layout == Layout.SINGLE ? 1 : Objects.requireNonNullElse(request.workers(), workers());
            return new RunSettings(
                    request.problem(),
                    WorkerNames.first(count),
                    layout,
                    Objects.requireNonNullElse(request.maxTokensPerWorker(), maxTokensPerWorker()),
                    Objects.requireNonNullElse(request.maxStepTokens(), maxStepTokens()),
                    Objects.requireNonNullElse(request.temperature(), temperature()),
                    Objects.requireNonNullElse(request.topP(), topP()),
                    Objects.requireNonNullElse(request.topK(), topK()),
                    Objects.requireNonNullElse(request.seed(), defaultSeed),
                    Objects.requireNonNullElse(request.selfCheckEvery(), selfCheckEvery()),
                    Objects.requireNonNullElse(request.finisherTokens(), finisherTokens()),
                    Objects.requireNonNullElse(request.fewShot(), fewShot()),
                    Objects.requireNonNullElse(request.enableThinking(), enableThinking()));
        }
    }

    /** Bounds a request must stay within (the record's annotations are the outer bounds). */
    public record Limits(
            @DefaultValue("8") int maxWorkers,
            @DefaultValue("32768") int maxTokensPerWorker,
            @DefaultValue("20000") int maxProblemChars) {}

    /** The GPU worker registry in Redis. */
    public record Registry(
            @DefaultValue("hogwild:workers:") String keyPrefix,
            /* A registration older than this counts as gone even if its key has not expired yet (0 = trust TTL). */
            @DefaultValue("30s") Duration maxHeartbeatAge,
            /* Retry-After sent when no GPU worker has room and none said how long to wait. */
            @DefaultValue("5s") Duration retryAfter,
            /* How often a running run checks that its GPU worker still heartbeats (and renews its lease). */
            @DefaultValue("2s") Duration heartbeatCheckInterval,
            /* How long a running run's GPU worker may be missing from the registry before the run fails (a Redis
               restart or a late heartbeat must not fail runs). */
            @DefaultValue("10s") Duration heartbeatGrace) {}

    /** How GPU workers are called. */
    public record Resilience(
            @DefaultValue("2s") Duration connectTimeout,
            /* Limit for short calls (model, tokenize, create, cancel, inspect). */
            @DefaultValue("10s") Duration callTimeout,
            /* A session's event stream may be silent this long (long prefills) before it counts as dead. */
            @DefaultValue("120s") Duration streamIdleTimeout,
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("10") int slidingWindowSize,
            @DefaultValue("4") int minimumNumberOfCalls,
            @DefaultValue("15s") Duration waitInOpenState,
            @DefaultValue("2") int permittedCallsInHalfOpenState,
            /* Concurrent calls to one GPU worker. */
            @DefaultValue("32") int maxConcurrentCalls,
            /* Attempts for idempotent calls (GET /v1/model, tokenize, cancel), first included. */
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("200ms") Duration retryWait,
            /* Reconnects of a session's event stream (resuming after the last seq) before the run fails. */
            @DefaultValue("3") int streamReconnects) implements ResilienceSettings {}

    /** How event followers poll the run's log. */
    public record Events(
            @DefaultValue("100ms") Duration pollInterval,
            @DefaultValue("500") int batchSize,
            /* Lease on a running run, so that exactly one orchestrator instance records its events. */
            @DefaultValue("15s") Duration ownerLease) {}

    /** The durable queue of runs in Redis and its dispatch (see API.md, "Dispatch"). */
    public record Queue(
            /* Prefix of the queue's keys (client lists, ring, pending, dispatching, drained). */
            @DefaultValue("hogwild:queue:") String keyPrefix,
            /* Runs that may wait at once; more get 429. */
            @DefaultValue("1000") int maxDepth,
            /* How often each orchestrator looks for free GPU worker slots (also right after an enqueue). */
            @DefaultValue("500ms") Duration dispatchInterval,
            /* Runs claimed in one dispatch round at most, so one round never holds the dispatcher for long. */
            @DefaultValue("32") int maxClaimsPerRound,
            /* How often each orchestrator looks for runs whose lease expired (their orchestrator died). */
            @DefaultValue("2s") Duration takeoverInterval,
            /* The window over which the drain rate (for Retry-After on 429) is measured. */
            @DefaultValue("5m") Duration drainWindow,
            /* Retry-After of a 429 when nothing was dispatched in the window. */
            @DefaultValue("30s") Duration idleRetryAfter,
            /* Upper bound of a computed Retry-After. */
            @DefaultValue("10m") Duration maxRetryAfter,
            /* The client name of runs created without X-Hogwild-Client. */
            @DefaultValue("internal") String defaultClient) {}

    /** Resuming a run on another GPU worker when its own went away (see API.md, "Resume on another GPU worker"). */
    public record Resume(
            /* Resumes of one run at most; one more loss fails it. */
            @DefaultValue("5") int maxPerRun,
            /* How long a run waits for a GPU worker with room before it fails. */
            @DefaultValue("10m") Duration waitForRoom,
            /* How often it looks for one meanwhile. */
            @DefaultValue("500ms") Duration retryInterval) {}
}
