package io.hogwild.engine.attention;

import io.hogwild.engine.cache.PassPlan;
import io.hogwild.engine.model.ModelConfig;

/** What both attention modes know of a pass before they precompute anything: its plan and the head shapes. */
abstract class PassShape implements Attention.PassAttention {

    protected final PassPlan plan;
    protected final int kvHeads;
    protected final int headDim;
    /** Query heads per kv head. */
    protected final int group;
    /** The pass's new tokens. */
    protected final int rows;

    PassShape(PassPlan plan, ModelConfig config) {
        this.plan = plan;
        this.kvHeads = config.numKvHeads();
        this.headDim = config.headDim();
        this.group = config.groupSize();
        this.rows = plan.tokens();
    }
}
