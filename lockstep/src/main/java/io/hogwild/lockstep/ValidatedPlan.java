package io.hogwild.lockstep;

import io.hogwild.contracts.worker.SessionPlan;
import java.util.Map;

/**
 * A plan that passed validation, with what validation had to compute anyway: the initial tokens of each block (in
 * plan order), the fixed texts tokenized once, and the session's worst-case cache estimate used for admission.
 *
 * @param sessionId the plan's id, or a generated one
 */
public record ValidatedPlan(
        SessionPlan plan,
        String sessionId,
        Map<String, int[]> initialTokens,
        long promptTokens,
        int[] selfCheckTokens,
        int[] finisherTokens,
        long estimatedCacheBytes) {}
