package io.hogwild.demo.traces;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated run as one training example that computes exactly what the GPU worker computes: every token of the
 * shared cache appears once, and attends to what its writer's view held when it was written, at the distances that
 * view gave it.
 *
 * <p>In a lockstep run no token sees a plain causal sequence. A worker's view is the one its plan gives it (for the
 * combined layout: the prompt, the history header, the finished steps in promotion order, the others' header, each
 * other worker's step block as far as it was written at that lockstep pass, this pass's writes included, with its
 * marker, the own header and its own step block); a step block holds its worker's steps from the pass that wrote
 * their first token to the pass after which they were promoted. The keys stay where they were computed, and only
 * their distance to the query changes as the blocks before them grow. Training on each worker's
 * view recomputed as a causal sequence would see different keys than the cache holds (a step in the history was
 * computed when it was being written, beside other unfinished steps), and a model of this size does not survive that
 * difference. So each token here carries its writer's view at its lockstep pass: which tokens it sees, and the
 * position of each in that view.
 *
 * <p>Layout: segments (the fixed blocks, then every step) each start at a multiple of {@link #CHUNK}, padded. A
 * chunk's keys are rotated by their index in the chunk; a query is rotated, per chunk, by its distance from the
 * chunk's first token in its view ({@link #offset}), which scores exactly like keys rotated to their view positions
 * (the engine's shared attention rotates queries per block the same way).
 *
 * <p>Every token a worker picked is learned once, from the logits of the token it had just written, unless it was a
 * deliberate mistake; fed text (prompt, headers, step prefixes) never is. Lookups weigh {@link #LOOKUP_WEIGHT}.
 */
public final class CacheTrace {

    /**
     * Weight of a looked-up token in the loss. Copying from far away is what the model learns last (the loss sits on
     * a plateau until it does); weighing those tokens more brings that on sooner.
     */
    public static final float LOOKUP_WEIGHT = 3f;

    /** Tokens per chunk: a step (prefix and work) fits in one. */
    public static final int CHUNK = 32;
    private final int length;
    private final int[] ids;
    private final int[] targets;
    private final float[] weights;
    private final boolean[] sees;
    private final int[] offsets;
    private int[] picks;

    private CacheTrace(int length) {
        this.length = length;
        this.ids = new int[length];
        this.targets = new int[length];
        java.util.Arrays.fill(targets, -1);
        this.weights = new float[length];
        this.sees = new boolean[length * length];
        this.offsets = new int[length * (length / CHUNK)];
    }

    /** Padded length, a multiple of {@link #CHUNK}. */
    public int length() {
        return length;
    }

    public int chunks() {
        return length / CHUNK;
    }

    public int id(int token) {
        return ids[token];
    }

    /** The token the writer picked from this token's logits, or -1 when nothing is learned here. */
    public int target(int token) {
        return targets[token];
    }

    /** How much the target at this token counts in the loss (0 where nothing is learned). */
    public float weight(int token) {
        return weights[token];
    }

    /** Whether {@code query} attends to {@code key}. */
    public boolean sees(int query, int key) {
        return sees[query * length + key];
    }

    /** The query's position minus the position of chunk {@code chunk}'s first token, in the query's view. */
    public int offset(int query, int chunk) {
        return offsets[query * chunks() + chunk];
    }

    /** For each token the run's workers picked, in the run's order, the token whose logits it was picked from. */
    public int[] picks() {
        return picks.clone();
    }

    public int learnedTokens() {
        int n = 0;
        for (int t : targets) {
            n += t >= 0 ? 1 : 0;
        }
        return n;
    }

    /** A contiguous piece of the cache: a fixed block, or one step of one worker. */
    private record Segment(int start, int[] ids, long[] times, int worker, LockstepSimulator.Step step) {
        int visibleAt(long time) {
            int n = 0;
            while (n < times.length && times[n] <= time) {
                n++;
            }
            return n;
        }

        /** Still in its worker's step block at {@code time}: written by then and not promoted before. */
        boolean inStepBlockAt(long time) {
            return times.length > 0 && times[0] <= time && step.promotedAt() >= time;
        }
    }

    /** One entry of a view: a segment and how many of its tokens are visible. */
    private record Seen(Segment segment, int count) {}

    public static CacheTrace of(LockstepSimulator.Run run, Tokenizer tokenizer) {
        SessionPlan plan = run.plan();
        Map<String, Integer> fixedIndex = new LinkedHashMap<>();
        List<int[]> fixedIds = new ArrayList<>();
        List<Boolean> fixedAlone = new ArrayList<>();
        for (BlockSpec b : plan.blocks()) {
            if (b.text() != null && !b.text().isEmpty()) {
                fixedIndex.put(b.name(), fixedIds.size());
                fixedIds.add(tokenizer.encode(b.text()));
                fixedAlone.add(PlanBuilder.prefilledAlone(b.role()));
            }
        }
        List<int[]> stepIds = new ArrayList<>();
        for (LockstepSimulator.Step s : run.steps()) {
            String text = s.text().text();
            int[] ids = tokenizer.encode(text);
            if (ids.length != text.length()) {
                throw new IllegalStateException("step text is not one token per character: " + text);
            }
            stepIds.add(ids);
        }
        int length = 0;
        for (int[] ids : fixedIds) {
            length += padded(ids.length);
        }
        for (int[] ids : stepIds) {
            length += padded(ids.length);
        }
        CacheTrace trace = new CacheTrace(length);

        List<Segment> fixed = new ArrayList<>();
        List<Segment> steps = new ArrayList<>();
        int at = 0;
        for (int[] ids : fixedIds) {
            fixed.add(new Segment(at, ids, new long[ids.length], -1, null)); // prefilled before lockstep pass 1
            at += padded(ids.length);
        }
        for (int k = 0; k < stepIds.size(); k++) {
            LockstepSimulator.Step s = run.steps().get(k);
            long[] times = new long[s.text().length()];
            for (int i = 0; i < times.length; i++) {
                times[i] = s.text().time(i);
            }
            steps.add(new Segment(at, stepIds.get(k), times, s.worker(), s));
            at += padded(stepIds.get(k).length);
        }
        List<Segment> all = new ArrayList<>(fixed);
        all.addAll(steps);
        for (Segment s : all) {
            System.arraycopy(s.ids(), 0, trace.ids, s.start(), s.ids().length);
        }
        boolean[] real = new boolean[length];
        for (Segment s : all) {
            java.util.Arrays.fill(real, s.start(), s.start() + s.ids().length, true);
        }
        for (int q = 0; q < length; q++) {
            if (!real[q]) {
                trace.sees[q * length] = true; // padding queries read something, so no softmax row is empty
            }
        }
        for (int f = 0; f < fixed.size(); f++) {
            // Prefill as the loop does it: headers and markers on their own, the prompt in the context of the prompt
            // blocks listed before it in the plan.
            for (int i = 0; i < fixed.get(f).ids().length; i++) {
                List<Seen> view = new ArrayList<>();
                for (int g = 0; g < f && !fixedAlone.get(f); g++) {
                    if (!fixedAlone.get(g)) {
                        view.add(new Seen(fixed.get(g), fixed.get(g).ids().length));
                    }
                }
                view.add(new Seen(fixed.get(f), i + 1));
                trace.attend(view);
            }
        }
        List<Segment> promotionOrder = steps.stream().filter(s -> s.step().promotedAt() != LockstepSimulator.NEVER)
                .sorted(Comparator.comparingInt((Segment s) -> s.step().promotionRank())).toList();
        Map<String, Integer> workerOfStepBlock = new HashMap<>();
        for (int w = 0; w < plan.workers().size(); w++) {
            workerOfStepBlock.put(plan.workers().get(w).stepBlock(), w);
        }
        for (Segment own : steps) {
            WorkerSpec writer = plan.workers().get(own.worker());
            for (int i = 0; i < own.ids().length; i++) {
                long time = own.times()[i];
                List<Seen> view = new ArrayList<>();
                for (String block : writer.view()) {
                    Integer f = fixedIndex.get(block);
                    Integer stepWorker = workerOfStepBlock.get(block);
                    if (f != null) {
                        view.add(new Seen(fixed.get(f), fixed.get(f).ids().length));
                    } else if (stepWorker == null) {
                        // a history block: the steps promoted into it before this pass, in promotion order
                        for (Segment h : promotionOrder) {
                            if (block.equals(h.step().target()) && h.step().promotedAt() < time) {
                                view.add(new Seen(h, h.ids().length));
                            }
                        }
                    } else {
                        // a step block: its worker's steps still in it, as written by this pass (this one's own
                        // block up to the token itself: a block is causal inside)
                        for (Segment s : steps) {
                            if (s.worker() != stepWorker || !s.inStepBlockAt(time)) {
                                continue;
                            }
                            if (s == own) {
                                view.add(new Seen(s, i + 1));
                                break;
                            }
                            view.add(new Seen(s, s.visibleAt(time)));
                        }
                    }
                }
                trace.attend(view);
            }
        }
        trace.learn(run, steps, tokenizer);
        return trace;
    }

    /** Marks what the last entry's last token sees in {@code view}, and its distance from each chunk it reads. */
    private void attend(List<Seen> view) {
        Seen last = view.get(view.size() - 1);
        int query = last.segment().start() + last.count() - 1;
        int position = -1;
        for (Seen s : view) {
            position += s.count();
        }
        int base = 0;
        int chunks = chunks();
        for (Seen s : view) {
            for (int k = 0; k < s.count(); k++) {
                sees[query * length + s.segment().start() + k] = true;
            }
            for (int c = 0; c * CHUNK < s.count(); c++) {
                int chunk = s.segment().start() / CHUNK + c;
                offsets[query * chunks + chunk] = position - (base + c * CHUNK);
            }
            base += s.count();
        }
    }

    /** Targets: what each worker picked, at the last token it had written in that lockstep pass. */
    private void learn(LockstepSimulator.Run run, List<Segment> steps, Tokenizer tokenizer) {
        Map<Long, Integer> lastWritten = new HashMap<>(); // (worker, lockstep) -> token index
        for (Segment s : steps) {
            for (int i = 0; i < s.ids().length; i++) {
                lastWritten.put(key(s.worker(), s.times()[i]), s.start() + i);
            }
        }
        Map<Character, Integer> ids = new HashMap<>(); // one tokenizer call per distinct character
        picks = new int[run.sampled().size()];
        int n = 0;
        for (LockstepSimulator.Sampled picked : run.sampled()) {
            Integer query = lastWritten.get(key(picked.worker(), picked.lockstep()));
            if (query == null) {
                throw new IllegalStateException("worker " + picked.worker() + " picked a token in lockstep pass "
                        + picked.lockstep() + " without writing in it");
            }
            picks[n++] = query;
            if (picked.kind() != CharKind.MISTAKE && picked.kind() != CharKind.FED) {
                targets[query] = ids.computeIfAbsent(picked.token(),
                        c -> tokenizer.encode(String.valueOf(c))[0]);
                weights[query] = picked.kind() == CharKind.LOOKUP ? LOOKUP_WEIGHT : 1f;
            }
        }
    }

    private static long key(int worker, long lockstep) {
        return lockstep * 64 + worker;
    }

    private static int padded(int n) {
        return (n + CHUNK - 1) / CHUNK * CHUNK;
    }
}
