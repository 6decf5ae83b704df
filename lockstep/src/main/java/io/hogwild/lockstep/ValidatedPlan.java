package io.hogwild.lockstep;

import io.hogwild.contracts.event.EventData.BlockContent;
import io.hogwild.contracts.worker.SessionPlan;
import java.util.List;
import java.util.Map;

/**
 * A plan that passed validation, with what validation had to compute anyway: the initial tokens of each block (in
 * plan order) and the prefilled blocks' tokens with their text, and the session's worst-case cache estimate used for
 * admission.
 *
 * @param sessionId the plan's id, or a generated one
 * @param prefilled every block with initial content: its tokens and text (the PREFILL_FINISHED report)
 */
public record ValidatedPlan(
        SessionPlan plan,
        String sessionId,
        Map<String, int[]> initialTokens,
        long promptTokens,
        List<BlockContent> prefilled,
        long estimatedCacheBytes) {}
