package io.hogwild.contracts.run;

import io.hogwild.contracts.worker.BlockRole;
import java.util.List;

/**
 * Exactly what one worker read at the start of one lockstep pass, rebuilt from the run's event log.
 *
 * @param worker the worker
 * @param lockstep the lockstep pass (1-based) at whose start the view is taken
 * @param text the whole view as text: the blocks' texts in view order
 * @param tokenIds the whole view as token ids
 * @param blocks the view's blocks in order
 */
public record WorkerView(String worker, long lockstep, String text, List<Integer> tokenIds, List<Block> blocks) {

    /**
     * @param name the block
     * @param role what it holds
     * @param text its text
     * @param length its length in tokens
     */
    public record Block(String name, BlockRole role, String text, int length) {}
}
