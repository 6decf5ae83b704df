package io.hogwild.lockstep;

import io.hogwild.contracts.worker.SamplingSpec;
import io.hogwild.contracts.worker.WorkerSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Forces each worker's tokens from a script (then a filler token), through the real engine: the logits are
 * computed and ignored, so the policy's reaction to known text can be asserted exactly. A hook runs before each
 * of a worker's choices (1-based count), to cancel or fail mid-run.
 */
final class ScriptedChooser implements TokenChooser {

    private final Deque<Integer> script;
    private final int filler;
    private final IntConsumer hook;
    private final List<Boolean> greedyFlags = new ArrayList<>();
    private int count;

    ScriptedChooser(List<Integer> script, int filler, IntConsumer hook) {
        this.script = new ArrayDeque<>(script);
        this.filler = filler;
        this.hook = hook;
    }

    @Override
    public int next(float[] logits, boolean greedy) {
        hook.accept(++count);
        greedyFlags.add(greedy);
        Integer t = script.poll();
        return t == null ? filler : t;
    }

    List<Boolean> greedyFlags() {
        return greedyFlags;
    }

    /** A factory with one script per worker name; keeps the choosers it made for inspection. */
    static final class Scripts implements TokenChooser.Factory {
        final Map<String, List<Integer>> scripts = new HashMap<>();
        final Map<String, IntConsumer> hooks = new HashMap<>();
        final Map<String, ScriptedChooser> made = new HashMap<>();
        final int filler;

        Scripts(int filler) {
            this.filler = filler;
        }

        Scripts script(String worker, List<Integer> tokens) {
            scripts.put(worker, tokens);
            return this;
        }

        Scripts hook(String worker, IntConsumer hook) {
            hooks.put(worker, hook);
            return this;
        }

        @Override
        public TokenChooser create(int workerIndex, WorkerSpec worker, SamplingSpec sampling) {
            ScriptedChooser c = new ScriptedChooser(scripts.getOrDefault(worker.name(), List.of()), filler,
                    hooks.getOrDefault(worker.name(), n -> {}));
            made.put(worker.name(), c);
            return c;
        }
    }
}
