package io.hogwild.contracts.worker;

import io.hogwild.contracts.Layout;
import java.util.List;

/**
 * Everything a GPU worker needs to run one Hogwild! session on its own: the cache blocks and their initial
 * content, each worker's view, the collaboration policy and sampling. The orchestrator builds it.
 */
public record SessionPlan(
        String sessionId,
        String runId,
        Layout layout,
        List<BlockSpec> blocks,
        List<WorkerSpec> workers,
        CollaborationPolicy policy,
        SamplingSpec sampling) {}
