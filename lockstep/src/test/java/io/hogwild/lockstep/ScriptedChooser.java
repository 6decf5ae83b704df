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
 * computed, masked by the policy and recorded, and the choice is the script's, so the policy's reaction to known text
 * can be asserted exactly. A hook runs before each of a worker's choices (1-based count), to cancel or fail mid-run.
 */
final class ScriptedChooser implements TokenChooser {

    private final Deque<Integer> script;
    private final int filler;
    private final IntConsumer hook;
    final List<float[]> seen = new ArrayList<>();
    private int count;

    ScriptedChooser(List<Integer> script, int filler, IntConsumer hook) {
        this.script = new ArrayDeque<>(script);
        this.filler = filler;
        this.hook = hook;
    }

    @Override
    public int next(float[] logits) {
        hook.accept(++count);
        seen.add(logits.clone());
        Integer t = script.poll();
        return t == null ? filler : t;
    }

    /** A factory with one script per worker name (and one for the finisher); keeps the choosers it made. */
    static final class Scripts implements TokenChooser.Factory {
        final Map<String, List<Integer>> scripts = new HashMap<>();
        final Map<String, IntConsumer> hooks = new HashMap<>();
        final Map<String, ScriptedChooser> made = new HashMap<>();
        final int filler;
        private List<Integer> finisher;

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

        /** The finisher's tokens (without this, the finisher decodes greedily, as in the service). */
        Scripts finisher(List<Integer> tokens) {
            finisher = tokens;
            return this;
        }

        @Override
        public TokenChooser create(int workerIndex, WorkerSpec worker, SamplingSpec sampling) {
            ScriptedChooser c = new ScriptedChooser(scripts.getOrDefault(worker.name(), List.of()), filler,
                    hooks.getOrDefault(worker.name(), n -> {}));
            made.put(worker.name(), c);
            return c;
        }

        @Override
        public TokenChooser finisher() {
            if (finisher == null) {
                return TokenChooser.Factory.super.finisher();
            }
            ScriptedChooser c = new ScriptedChooser(finisher, filler, n -> {});
            made.put("finisher", c);
            return c;
        }
    }
}
