package io.hogwild.contracts.worker;

import io.hogwild.contracts.Layout;
import java.util.List;

/**
 * Everything a GPU worker needs to run one Hogwild! session on its own: the cache blocks and their initial
 * content, each worker's view, the collaboration policy and sampling. The orchestrator builds it.
 *
 * @param resume null for a new session; for a session that continues a run on another GPU worker, what to replay
 */
public record SessionPlan(
        String sessionId,
        String runId,
        Layout layout,
        List<BlockSpec> blocks,
        List<WorkerSpec> workers,
        CollaborationPolicy policy,
        SamplingSpec sampling,
        ResumeSpec resume) {

    /** The same plan continuing a run: session {@code sessionId}, replaying {@code resume} first. */
    public SessionPlan resumedAs(String sessionId, ResumeSpec resume) {
        return new SessionPlan(sessionId, runId, layout, blocks, workers, policy, sampling, resume);
    }
}
