package io.hogwild.collaboration.view;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.PassWritten;
import io.hogwild.contracts.event.EventData.PrefillFinished;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.run.WorkerView;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker read at the start of a lockstep pass, rebuilt from a session's plan and its events alone: the
 * prefilled blocks (PREFILL_FINISHED), every pass's writes (PASS_WRITTEN) and every promotion (STEP_PROMOTED, with the
 * finished step's text from its STEP_FINISHED), replayed in order into a {@link CacheLedger} up to, not including, the
 * writes of that pass. The orchestrator's admin API and the tests use this one function.
 */
public final class ViewRebuilder {

    private ViewRebuilder() {
    }

    /** The last lockstep pass in {@code events}, 0 when none ran. */
    public static long lastPass(List<EventData> events) {
        return events.stream().filter(PassWritten.class::isInstance).mapToLong(e -> ((PassWritten) e).pass())
                .max().orElse(0);
    }

    /**
     * {@code worker}'s view at the start of pass {@code lockstep}.
     *
     * @throws IllegalArgumentException for a worker the plan does not have, or a pass outside 1..{@link #lastPass}
     */
    public static WorkerView rebuild(SessionPlan plan, List<EventData> events, String worker, long lockstep) {
        WorkerSpec spec = plan.workers().stream().filter(w -> w.name().equals(worker)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no worker '" + worker + "' in this run"));
        long last = lastPass(events);
        if (lockstep < 1 || lockstep > last) {
            throw new IllegalArgumentException(last == 0 ? "no lockstep pass has run yet"
                    : "lockstep must be between 1 and " + last + ", not " + lockstep);
        }
        CacheLedger ledger = new CacheLedger(plan);
        Map<String, String> stepBlocks = new HashMap<>();
        plan.workers().forEach(w -> stepBlocks.put(w.name(), w.stepBlock()));
        Map<String, String> finishedTexts = new HashMap<>();
        for (EventData data : events) {
            if (data instanceof PrefillFinished prefill && prefill.blocks() != null) {
                prefill.blocks().forEach(b -> ledger.append(b.name(), ints(b.tokenIds()), b.text()));
            } else if (data instanceof PassWritten pass) {
                if (pass.pass() >= lockstep) {
                    break;
                }
                pass.writes().forEach(w -> ledger.append(stepBlocks.get(w.worker()), ints(w.tokenIds()), w.text()));
            } else if (data instanceof StepFinished finished) {
                finishedTexts.put(finished.worker() + "\u0000" + finished.step(), finished.text());
            } else if (data instanceof StepPromoted promoted) {
                ledger.promote(promoted.source(), promoted.target(), promoted.count(),
                        finishedTexts.getOrDefault(promoted.worker() + "\u0000" + promoted.step(), ""));
            }
        }
        return ledger.snapshot(spec.name(), lockstep);
    }

    private static int[] ints(List<Integer> ids) {
        return ids == null ? new int[0] : ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
