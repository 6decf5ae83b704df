package io.hogwild.demo.traces;

import io.hogwild.contracts.Layout;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.orchestrator.prompt.PromptTexts;
import io.hogwild.worker.session.LockstepLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Plays a lockstep run with the {@link ScriptedPolicy} in place of a model, tracking what the GPU worker's
 * {@link LockstepLoop} would have in each cache block, and records what each worker saw when it chose (its view in
 * the run's layout at that lockstep step) as training examples.
 *
 * <p>It mirrors the loop's rules: every worker starts by writing its step prefix as one write; each lockstep step
 * writes every worker's pending input, then each worker picks its next token from the cache as it is after all of
 * this step's writes; a step ends once its closing blank line is written, is then promoted to the end of the history
 * (workers in order) and the next prefix is written in the following step; the run ends at the first complete
 * {@code \boxed{...}}. A test replays the recorded tokens through the real loop and checks both agree.
 */
public final class LockstepSimulator {

    /** Safety net: a scripted run takes about 130 lockstep steps with one worker. */
    private static final int MAX_LOCKSTEP_STEPS = 2_000;

    /** How the run goes: the layout, the workers, and how often the script errs on purpose. */
    public record Settings(Layout layout, List<String> names, double mistakeRate, double lateSnapshotRate) {}

    /**
     * A finished simulated run: the examples, what each worker generated and when (for replay through the loop).
     */
    public record Run(List<TraceExample> examples, List<List<Character>> generated, List<Sampled> sampled,
                      long lockstepSteps, String answerWorker, String answer) {}

    /** A token picked by worker {@code worker} (index) in lockstep step {@code lockstep}. */
    public record Sampled(long lockstep, int worker, char token) {}

    private static final class Worker {
        final int index;
        final String name;
        int step;
        WrittenText block = new WrittenText();
        final List<WrittenText> ownHistory = new ArrayList<>();
        final Deque<Character> plan = new ArrayDeque<>();
        final Deque<CharKind> planKinds = new ArrayDeque<>();
        String pending;
        CharKind pendingKind;
        boolean closeAfterWrite;
        final List<Character> generated = new ArrayList<>();
        final List<Pending> snapshots = new ArrayList<>();
        int lateSnapshotAt = -1;

        Worker(int index, String name) {
            this.index = index;
            this.name = name;
        }

        int bodyLength(String prefix) {
            return block.length() - prefix.length();
        }
    }

    /**
     * A view captured when a worker chose: the fixed blocks and history as they were, and the other workers' steps
     * being written (live: they are copied, with what they wrote meanwhile, when the example is completed).
     */
    private record Pending(List<TraceExample.Piece> before, List<WrittenText> othersLive, boolean late) {}

    private final Settings settings;
    private final ItemProblem problem;
    private final String prompt;
    private final Random random;
    private final List<Worker> workers = new ArrayList<>();
    private final List<WrittenText> sharedHistory = new ArrayList<>();
    private final List<TraceExample> examples = new ArrayList<>();
    private final List<Sampled> sampled = new ArrayList<>();

    public LockstepSimulator(Settings settings, ItemProblem problem, String renderedPrompt, Random random) {
        if (settings.layout() != Layout.COMBINED && settings.layout() != Layout.INDEPENDENT) {
            throw new IllegalArgumentException("traces are made for the combined and independent layouts");
        }
        this.settings = settings;
        this.problem = problem;
        this.prompt = renderedPrompt;
        this.random = random;
        for (int i = 0; i < settings.names().size(); i++) {
            workers.add(new Worker(i, settings.names().get(i)));
        }
    }

    public Run run() {
        workers.forEach(this::startStep);
        long lockstep = 0;
        while (lockstep < MAX_LOCKSTEP_STEPS) {
            List<Worker> writers = workers.stream().filter(w -> w.pending != null).toList();
            lockstep++;
            for (Worker w : writers) {
                w.block.append(w.pending, w.pendingKind, lockstep);
                w.pending = null;
            }
            // Every worker picks from the cache as it is after this step's writes; promotions come after.
            List<Worker> closing = new ArrayList<>();
            for (Worker w : writers) {
                if (w.closeAfterWrite) {
                    closing.add(w);
                    continue;
                }
                char next = nextChar(w);
                w.generated.add(next);
                sampled.add(new Sampled(lockstep, w.index, next));
                if (next == '}' && w.block.text().contains("\\boxed{")) {
                    w.block.append(next, w.pendingKind, lockstep + 1);
                    w.pending = null;
                    finishExamples();
                    return new Run(List.copyOf(examples), workers.stream().map(x -> x.generated).toList(),
                            List.copyOf(sampled), lockstep, w.name, boxedContent(w.block.text()));
                }
                w.pending = String.valueOf(next);
                w.closeAfterWrite = next == '\n' && w.block.text().endsWith(".\n");
            }
            for (Worker w : closing) {
                closeStep(w);
            }
        }
        throw new IllegalStateException("scripted run did not finish within " + MAX_LOCKSTEP_STEPS + " steps");
    }

    private void startStep(Worker w) {
        w.step++;
        w.block = new WrittenText();
        w.pending = LockstepLoop.stepPrefix(PromptTexts.STEP_PREFIX_FORMAT, w.name, w.step);
        w.pendingKind = CharKind.FED;
        w.closeAfterWrite = false;
        w.lateSnapshotAt = -1;
    }

    private void closeStep(Worker w) {
        completeSnapshots(w, w.block);
        if (settings.layout() == Layout.COMBINED) {
            sharedHistory.add(w.block);
        } else {
            w.ownHistory.add(w.block);
        }
        startStep(w);
    }

    /** The next token of worker {@code w}: from its plan, choosing (and capturing its view) when the plan is empty. */
    private char nextChar(Worker w) {
        String prefix = LockstepLoop.stepPrefix(PromptTexts.STEP_PREFIX_FORMAT, w.name, w.step);
        if (w.plan.isEmpty()) {
            w.snapshots.add(snapshot(w, false));
            ScriptedPolicy.Choice choice = ScriptedPolicy.choose(problem, w.name, w.index, observe(w, prefix),
                    random.nextDouble() < settings.mistakeRate(), random);
            for (int i = 0; i < choice.text().length(); i++) {
                w.plan.add(choice.text().charAt(i));
                w.planKinds.add(choice.kinds().get(i));
            }
            if (w.lateSnapshotAt < 0 && random.nextDouble() < settings.lateSnapshotRate()) {
                w.lateSnapshotAt = w.bodyLength(prefix) + 2 + random.nextInt(6);
            }
        } else if (w.bodyLength(prefix) == w.lateSnapshotAt) {
            w.snapshots.add(snapshot(w, true));
        }
        w.pendingKind = w.planKinds.poll();
        return w.plan.poll();
    }

    /** What {@code w} sees of the others, for the policy: the shared history and the steps being written. */
    private ScriptedPolicy.Observation observe(Worker w, String prefix) {
        List<String> history = new ArrayList<>();
        List<ScriptedPolicy.OtherStep> others = new ArrayList<>();
        if (settings.layout() == Layout.COMBINED) {
            sharedHistory.forEach(h -> history.add(h.text()));
            for (Worker o : workers) {
                if (o != w && !o.block.isEmpty()) {
                    String otherPrefix = LockstepLoop.stepPrefix(PromptTexts.STEP_PREFIX_FORMAT, o.name, o.step);
                    others.add(new ScriptedPolicy.OtherStep(o.index, o.block.text().substring(otherPrefix.length())));
                }
            }
        } else {
            w.ownHistory.forEach(h -> history.add(h.text()));
        }
        return new ScriptedPolicy.Observation(history, others, w.block.text().substring(prefix.length()));
    }

    /** The worker's view in the plan's order (see PlanBuilder) up to the steps being written, and those live. */
    private Pending snapshot(Worker w, boolean late) {
        List<TraceExample.Piece> pieces = new ArrayList<>();
        List<WrittenText> live = new ArrayList<>();
        pieces.add(TraceExample.Piece.fed(prompt));
        if (settings.layout() == Layout.COMBINED) {
            pieces.add(TraceExample.Piece.fed(PromptTexts.HISTORY_HEADER));
            sharedHistory.forEach(h -> pieces.add(TraceExample.Piece.history(h.copy())));
            pieces.add(TraceExample.Piece.fed(PromptTexts.IN_PROGRESS_HEADER));
            for (Worker o : workers) {
                if (o != w && !o.block.isEmpty()) {
                    live.add(o.block);
                }
            }
        } else {
            w.ownHistory.forEach(h -> pieces.add(TraceExample.Piece.history(h.copy())));
        }
        return new Pending(pieces, live, late);
    }

    /**
     * Each captured view of {@code w}'s current step becomes an example ending with the whole step. The other
     * workers' steps come with everything they wrote until this step ended, each character stamped with when it was
     * written: the training mask lets each of the worker's own tokens see only what had been written by then, as in
     * the cache at that lockstep step.
     */
    private void completeSnapshots(Worker w, WrittenText wholeStep) {
        long end = wholeStep.lastTime();
        for (Pending p : w.snapshots) {
            List<TraceExample.Piece> pieces = new ArrayList<>(p.before());
            for (WrittenText other : p.othersLive()) {
                pieces.add(TraceExample.Piece.inProgress(other.copyUntil(end)));
            }
            pieces.add(TraceExample.Piece.own(wholeStep.copy(), p.late()));
            examples.add(new TraceExample(pieces));
        }
        w.snapshots.clear();
    }

    /** At the answer, steps still being written are completed with what their plan would have written. */
    private void finishExamples() {
        for (Worker w : workers) {
            WrittenText whole = w.block.copy();
            long time = Math.max(whole.lastTime(), 0) + 1;
            if (w.pending != null) {
                whole.append(w.pending, w.pendingKind, time++);
            }
            var kinds = new ArrayDeque<>(w.planKinds);
            for (char c : w.plan) {
                whole.append(c, kinds.poll(), time++);
            }
            completeSnapshots(w, whole);
        }
    }

    private static String boxedContent(String text) {
        int at = text.lastIndexOf("\\boxed{");
        return text.substring(at + "\\boxed{".length(), text.length() - 1);
    }
}
