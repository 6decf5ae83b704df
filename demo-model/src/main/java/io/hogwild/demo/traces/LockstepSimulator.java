package io.hogwild.demo.traces;

import io.hogwild.contracts.Layout;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.lockstep.LockstepLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Plays a lockstep run with the {@link ScriptedPolicy} in place of a model and records it as the GPU worker's
 * {@link LockstepLoop} would write it to the cache: every step of every worker with the lockstep pass each of its
 * characters was written in and the step at which it was promoted to the history, and every token each worker picked.
 * {@link CacheTrace} turns such a run into a training example.
 *
 * <p>It mirrors the loop's rules: every worker starts by writing its step prefix as one write; each lockstep pass
 * writes every worker's pending input, then each worker picks its next token from the cache as it is after all of
 * this step's writes; a step ends once its closing blank line is written, is then promoted to the end of the history
 * (workers in order) and the next prefix is written in the following step; the run ends at the first complete
 * {@code \boxed{...}}. A test replays the recorded tokens through the real loop and checks both agree.
 */
public final class LockstepSimulator {

    /** Safety net: a scripted run takes about 130 lockstep passes with one worker. */
    private static final int MAX_LOCKSTEP_STEPS = 2_000;

    /** Not promoted (still being written when the run ended). */
    public static final long NEVER = Long.MAX_VALUE;

    /** How the run goes: the layout, the workers, and how often the script errs on purpose. */
    public record Settings(Layout layout, List<String> names, double mistakeRate) {}

    /** One step of one worker as written: prefix and body, and the lockstep pass after which it was promoted. */
    public record Step(int worker, WrittenText text, long promotedAt) {}

    /**
     * A finished simulated run.
     *
     * @param prompt the rendered prompt (the first fixed block)
     * @param steps every worker's steps, in the order they were started
     * @param sampled every token picked, in lockstep order, workers in order within a lockstep pass
     */
    public record Run(Settings settings, String prompt, List<Step> steps, List<Sampled> sampled, long lockstepPasses,
                      String answerWorker, String answer) {

        /** What each worker picked, in order (for replay through the loop). */
        public List<List<Character>> generated() {
            List<List<Character>> out = new ArrayList<>();
            settings.names().forEach(n -> out.add(new ArrayList<>()));
            sampled.forEach(s -> out.get(s.worker()).add(s.token()));
            return out;
        }
    }

    /** A token picked by worker {@code worker} (index) in lockstep pass {@code lockstep}, and what kind it is. */
    public record Sampled(long lockstep, int worker, char token, CharKind kind) {}

    private static final class Worker {
        final int index;
        final String name;
        int step;
        WrittenText block = new WrittenText();
        final Deque<Character> plan = new ArrayDeque<>();
        final Deque<CharKind> planKinds = new ArrayDeque<>();
        String pending;
        CharKind pendingKind;
        boolean closeAfterWrite;
        int stepIndex = -1;

        Worker(int index, String name) {
            this.index = index;
            this.name = name;
        }
    }

    private final Settings settings;
    private final ItemProblem problem;
    private final String prompt;
    private final Random random;
    private final List<Worker> workers = new ArrayList<>();
    private final List<WrittenText> sharedHistory = new ArrayList<>();
    private final List<List<WrittenText>> ownHistories = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
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
            ownHistories.add(new ArrayList<>());
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
                sampled.add(new Sampled(lockstep, w.index, next, w.pendingKind));
                if (next == '}' && w.block.text().contains("\\boxed{")) {
                    String answer = boxedContent(w.block.text() + next);
                    return new Run(settings, prompt, List.copyOf(steps), List.copyOf(sampled), lockstep, w.name,
                            answer);
                }
                w.pending = String.valueOf(next);
                w.closeAfterWrite = next == '\n' && w.block.text().endsWith(".\n");
            }
            for (Worker w : closing) {
                closeStep(w, lockstep);
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
        w.stepIndex = steps.size();
        steps.add(new Step(w.index, w.block, NEVER));
    }

    private void closeStep(Worker w, long lockstep) {
        steps.set(w.stepIndex, new Step(w.index, w.block, lockstep));
        if (settings.layout() == Layout.COMBINED) {
            sharedHistory.add(w.block);
        } else {
            ownHistories.get(w.index).add(w.block);
        }
        startStep(w);
    }

    /** The next token of worker {@code w}: from its plan, choosing when the plan is empty. */
    private char nextChar(Worker w) {
        if (w.plan.isEmpty()) {
            String prefix = LockstepLoop.stepPrefix(PromptTexts.STEP_PREFIX_FORMAT, w.name, w.step);
            ScriptedPolicy.Choice choice = ScriptedPolicy.choose(problem, w.name, w.index, observe(w, prefix),
                    random.nextDouble() < settings.mistakeRate(), random);
            for (int i = 0; i < choice.text().length(); i++) {
                w.plan.add(choice.text().charAt(i));
                w.planKinds.add(choice.kinds().get(i));
            }
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
            ownHistories.get(w.index).forEach(h -> history.add(h.text()));
        }
        return new ScriptedPolicy.Observation(history, others, w.block.text().substring(prefix.length()));
    }

    private static String boxedContent(String text) {
        int at = text.lastIndexOf("\\boxed{");
        return text.substring(at + "\\boxed{".length(), text.length() - 1);
    }
}
