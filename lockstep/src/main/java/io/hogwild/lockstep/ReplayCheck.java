package io.hogwild.lockstep;

import io.hogwild.collaboration.policy.LockstepPolicy;
import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.contracts.event.EventData.BlockContent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A resume plan's replay through the policy alone (no engine, no sampling): how far its recorded choices reach and how
 * many events the session emits on the way, counted as {@link LockstepLoop} emits them.
 */
final class ReplayCheck {

    /** Events the loop emits before its first pass: SESSION_STARTED and PREFILL_FINISHED. */
    static final int SETUP_EVENTS = 2;

    /**
     * @param passes the passes the replay formed
     * @param leastEvents the events up to the last recorded choice's TOKENS
     * @param mostEvents the events before the first choice that is not recorded
     * @param ended whether the policy had nothing more to write (the finisher and the end follow)
     * @param left recorded choices never reached, per worker
     */
    record Reach(long passes, long leastEvents, long mostEvents, boolean ended, Map<String, Integer> left) {}

    private ReplayCheck() {
    }

    static Reach run(SessionPlan plan, List<BlockContent> prefilled, TokenHygiene hygiene, Tokenizer tokenizer,
                     int contextLimit) {
        Replay replay = Replay.of(plan.resume());
        LockstepPolicy policy = new LockstepPolicy(plan, prefilled, hygiene, tokenizer::encode, contextLimit);
        Map<String, IncrementalDecoder> decoders = new HashMap<>();
        long events = SETUP_EVENTS;
        long least = 0;
        while (true) {
            Optional<LockstepPolicy.Pass> next = policy.nextPass();
            if (next.isEmpty()) {
                return new Reach(policy.passes(), least, events, true, replay.left());
            }
            events += next.get().events().size();
            for (String worker : next.get().choosers()) {
                OptionalInt token = replay.next(worker);
                if (token.isEmpty()) {
                    return new Reach(policy.passes(), least, events, false, replay.left());
                }
                int id = token.getAsInt();
                String text = hygiene.isEos(id) ? ""
                        : decoders.computeIfAbsent(worker, w -> new IncrementalDecoder(tokenizer)).push(id);
                least = events + 1; // its TOKENS comes first
                events += policy.accept(worker, id, text).size();
            }
            events += policy.takePromotions().size();
        }
    }
}
