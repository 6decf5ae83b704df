package io.hogwild.demo.traces;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.policy.LockstepPolicy;
import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.demo.problems.ItemProblem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Plays a lockstep run with the {@link ScriptedPolicy} choosing what each worker writes, and records it as the GPU
 * worker would write it to the cache: every step of every worker with the lockstep pass each of its characters was
 * written in and the pass after which it was promoted (and into which history block), and every token each worker
 * picked. {@link CacheTrace} turns such a run into a training example.
 *
 * <p>Every rule about steps, promotions, prefixes, self-checks and stopping is the platform's own: the run is driven
 * by the collaboration module's {@link LockstepPolicy} over the platform's plan ({@link PlanBuilder}), exactly as the
 * GPU worker's lockstep loop drives it, with one character per token. Only the choice of the next character is the
 * script's, made from what the worker's view holds at that pass. A test replays the recorded tokens through the real
 * loop and checks both agree.
 */
public final class LockstepSimulator {

    /** Safety net: a scripted run takes about 130 lockstep passes with one worker. */
    private static final int MAX_LOCKSTEP_PASSES = 2_000;
    /** The platform's defaults for a demo run (the eval's settings). */
    private static final int BUDGET = 1024;
    private static final int MAX_STEP_TOKENS = 512;
    private static final int SELF_CHECK_EVERY = 1024;
    private static final int FINISHER_TOKENS = 16;
    /** One token per character: a character's id is itself. */
    private static final LockstepPolicy.Encoder CHARS = text -> text.chars().toArray();

    /** Not promoted (still being written when the run ended, or never: the contiguous layout). */
    public static final long NEVER = Long.MAX_VALUE;

    /** How the run goes: the layout, the workers, and how often the script errs on purpose. */
    public record Settings(Layout layout, List<String> names, double mistakeRate) {}

    /**
     * One step of one worker as written: prefix and body, the lockstep pass after which it was promoted, the history
     * block it went to, and its rank among all promotions (the history's order).
     */
    public record Step(int worker, int step, WrittenText text, long promotedAt, String target, int promotionRank) {}

    /**
     * A finished simulated run.
     *
     * @param plan the platform's plan of the run (blocks, views)
     * @param steps every worker's steps, in the order they were started
     * @param sampled every token picked, in lockstep order, workers in order within a lockstep pass
     */
    public record Run(Settings settings, SessionPlan plan, List<Step> steps, List<Sampled> sampled,
                      long lockstepPasses, String answerWorker, String answer) {

        /** What each worker picked, in order (for replay through the loop). */
        public List<List<Character>> generated() {
            List<List<Character>> out = new ArrayList<>();
            settings.names().forEach(n -> out.add(new ArrayList<>()));
            sampled.forEach(s -> out.get(s.worker()).add(s.token()));
            return out;
        }

        /** The run settings the platform would use for this run. */
        public RunSettings runSettings() {
            return LockstepSimulator.runSettings(settings);
        }
    }

    /** A token picked by worker {@code worker} (index) in lockstep pass {@code lockstep}, and what kind it is. */
    public record Sampled(long lockstep, int worker, char token, CharKind kind) {}

    /** A step being recorded. */
    private static final class Segment {
        final int worker;
        final int step;
        final WrittenText text = new WrittenText();
        long promotedAt = NEVER;
        String target;
        int rank = -1;

        Segment(int worker, int step) {
            this.worker = worker;
            this.step = step;
        }

        Step freeze() {
            return new Step(worker, step, text, promotedAt, target, rank);
        }

        /** The characters the script chose (not fed by the platform). */
        String body() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < text.length(); i++) {
                if (text.kind(i) != CharKind.FED) {
                    b.append(text.text().charAt(i));
                }
            }
            return b.toString();
        }
    }

    private static final class Worker {
        final int index;
        final WorkerSpec spec;
        final List<Segment> segments = new ArrayList<>();
        final Deque<Character> plan = new ArrayDeque<>();
        final Deque<CharKind> planKinds = new ArrayDeque<>();
        CharKind lastKind;

        Worker(int index, WorkerSpec spec) {
            this.index = index;
            this.spec = spec;
        }

        Segment current() {
            return segments.get(segments.size() - 1);
        }
    }

    private final Settings settings;
    private final ItemProblem problem;
    private final Random random;
    private final SessionPlan plan;
    private final List<Worker> workers = new ArrayList<>();
    private final Map<String, Worker> byName = new HashMap<>();
    private final Map<String, BlockRole> roles = new HashMap<>();
    private final List<Segment> promoted = new ArrayList<>();
    private final List<Sampled> sampled = new ArrayList<>();

    public LockstepSimulator(Settings settings, ItemProblem problem, String renderedPrompt, Random random) {
        this.settings = settings;
        this.problem = problem;
        this.random = random;
        this.plan = new PlanBuilder().build("scripted", "scripted", renderedPrompt, runSettings(settings));
        plan.blocks().forEach(b -> roles.put(b.name(), b.role()));
        for (int i = 0; i < plan.workers().size(); i++) {
            Worker w = new Worker(i, plan.workers().get(i));
            workers.add(w);
            byName.put(w.spec.name(), w);
        }
    }

    static RunSettings runSettings(Settings settings) {
        return new RunSettings("", settings.names(), settings.layout(), BUDGET, MAX_STEP_TOKENS, 0, 1, 0, 0,
                SELF_CHECK_EVERY, FINISHER_TOKENS, false, false);
    }

    public Run run() {
        List<EventData.BlockContent> prefilled = new ArrayList<>();
        for (BlockSpec b : plan.blocks()) {
            if (b.text() != null && !b.text().isEmpty()) {
                prefilled.add(new EventData.BlockContent(b.name(), b.text().chars().boxed().toList(), b.text()));
            }
        }
        LockstepPolicy policy = new LockstepPolicy(plan, prefilled, TokenHygiene.none(Set.of()), CHARS,
                Integer.MAX_VALUE);
        while (true) {
            var next = policy.nextPass();
            if (next.isEmpty()) {
                LockstepPolicy.Outcome outcome = policy.finish();
                return new Run(settings, plan, segments(), List.copyOf(sampled), policy.passes(),
                        outcome.answerWorker(), outcome.answer());
            }
            LockstepPolicy.Pass pass = next.get();
            if (pass.number() > MAX_LOCKSTEP_PASSES) {
                throw new IllegalStateException("scripted run did not finish within " + MAX_LOCKSTEP_PASSES
                        + " passes");
            }
            for (LockstepPolicy.Write write : pass.writes()) {
                Worker w = byName.get(write.worker());
                if (!write.closingText().isEmpty()) {
                    // the character it chose, then any blank line that closes a cut step
                    w.current().text.append(write.closingText().charAt(0), w.lastKind, pass.number());
                    w.current().text.append(write.closingText().substring(1), CharKind.FED, pass.number());
                }
                if (!write.openingText().isEmpty()) {
                    w.segments.add(new Segment(w.index, w.segments.size() + 1));
                    w.current().text.append(write.openingText(), CharKind.FED, pass.number());
                }
            }
            // Every worker chooses from its view as it is after this pass's writes; promotions come after.
            for (String name : pass.choosers()) {
                Worker w = byName.get(name);
                char picked = nextChar(w, pass.number());
                sampled.add(new Sampled(pass.number(), w.index, picked, w.lastKind));
                policy.accept(name, picked, String.valueOf(picked));
            }
            for (LockstepPolicy.Promotion p : policy.takePromotions()) {
                Segment s = byName.get(p.worker()).segments.get(p.step() - 1);
                s.promotedAt = pass.number();
                s.target = p.target();
                s.rank = promoted.size();
                promoted.add(s);
            }
        }
    }

    private List<Step> segments() {
        List<Segment> all = new ArrayList<>();
        workers.forEach(w -> all.addAll(w.segments));
        all.sort(java.util.Comparator.comparingLong((Segment s) -> s.text.time(0)).thenComparingInt(s -> s.worker));
        return all.stream().map(Segment::freeze).toList();
    }

    /** The next character of worker {@code w}: from its plan, choosing when the plan is empty. */
    private char nextChar(Worker w, long pass) {
        if (w.plan.isEmpty()) {
            ScriptedPolicy.Choice choice = ScriptedPolicy.choose(problem, w.spec.name(), w.index, observe(w, pass),
                    random.nextDouble() < settings.mistakeRate(), random);
            for (int i = 0; i < choice.text().length(); i++) {
                w.plan.add(choice.text().charAt(i));
                w.planKinds.add(choice.kinds().get(i));
            }
        }
        w.lastKind = w.planKinds.poll();
        return w.plan.poll();
    }

    private ScriptedPolicy.Sight sight() {
        if (workers.size() == 1) {
            return ScriptedPolicy.Sight.NONE;
        }
        return switch (settings.layout()) {
            case COMBINED, CONTIGUOUS -> ScriptedPolicy.Sight.LIVE;
            case INTERLEAVED -> ScriptedPolicy.Sight.FINISHED_STEPS;
            case INDEPENDENT, SINGLE -> ScriptedPolicy.Sight.NONE;
        };
    }

    /**
     * What {@code w}'s view holds at pass {@code pass}, for the script: the finished steps it sees (its history block,
     * and its own steps still in its step block), and for every other worker whose step block it reads, that block's
     * text and the other's current step.
     */
    private ScriptedPolicy.Observation observe(Worker w, long pass) {
        List<String> history = new ArrayList<>();
        List<ScriptedPolicy.OtherStep> others = new ArrayList<>();
        for (String block : w.spec.view()) {
            if (roles.get(block) == BlockRole.HISTORY) {
                promoted.stream().filter(s -> block.equals(s.target) && s.promotedAt < pass)
                        .forEach(s -> history.add(s.text.text()));
            }
        }
        // its own finished steps still in its block (not promoted yet, or never: contiguous)
        w.segments.stream().filter(s -> s != w.current() && s.promotedAt >= pass).forEach(s -> history.add(
                s.text.text()));
        for (Worker o : workers) {
            if (o == w || !w.spec.view().contains(o.spec.stepBlock())) {
                continue;
            }
            StringBuilder visible = new StringBuilder();
            o.segments.stream().filter(s -> s.promotedAt >= pass).forEach(s -> visible.append(s.text.text()));
            others.add(new ScriptedPolicy.OtherStep(o.index, visible.toString(), o.current().body()));
        }
        return new ScriptedPolicy.Observation(sight(), history, others, w.current().body());
    }
}
