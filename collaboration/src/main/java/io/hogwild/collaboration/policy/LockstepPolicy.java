package io.hogwild.collaboration.policy;

import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.collaboration.view.CacheLedger;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.BlockContent;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerProgress;
import io.hogwild.contracts.worker.WorkerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The collaboration policy of one session as a plain state machine: every rule about what a worker writes, when its
 * step ends, what is promoted, when a self-check is asked, when a worker or the run stops, and what the finisher
 * reads. It knows no engine: it is told each chosen token with its decoded text and answers with what to write next
 * and what happened (typed events). The GPU worker's lockstep loop drives the engine with it; the demo model's trace
 * simulator drives a script with it. collaboration/README.md ("The policy") states the rules in full.
 *
 * <p>A session goes:
 * <ol>
 *   <li>{@link #nextPass()}: the writes of the next lockstep pass, one per worker that has something to write (the
 *       token it chose, the blank line closing a cut step, the next step's prefix and self-check), or none when the
 *       run is over;</li>
 *   <li>the caller runs the pass, then for each of the pass's {@link Pass#choosers()} picks a token from its logits
 *       (after {@link #suppress}) and reports it with {@link #accept};</li>
 *   <li>{@link #takePromotions()}: the finished steps to move into their history blocks before the next pass;</li>
 *   <li>once {@link #nextPass()} has nothing, {@link #finish()} gives the outcome: why it ended, the answer, and the
 *       merged text the finisher reads when there is none.</li>
 * </ol>
 * Worker phases: {@code GENERATING} (chooses a token after every pass) then, after EOS, its budget or the context
 * limit, {@code STOPPING} (its last write, the closing blank line, is still to be written) and {@code DONE}.
 */
public final class LockstepPolicy {

    /** Text to token ids, as the model's tokenizer encodes it. */
    @FunctionalInterface
    public interface Encoder {
        int[] encode(String text);
    }

    /**
     * One worker's write in a pass: the end of the step it closes (the token it chose, unless EOS, and the blank
     * line of a cut step) and the start of its next step (prefix, opening line, self-check question).
     */
    public record Write(String worker, int[] closing, String closingText, int[] opening, String openingText) {

        public int[] tokens() {
            int[] all = Arrays.copyOf(closing, closing.length + opening.length);
            System.arraycopy(opening, 0, all, closing.length, opening.length);
            return all;
        }

        public String text() {
            return closingText + openingText;
        }
    }

    /**
     * The next lockstep pass.
     *
     * @param number 1-based
     * @param writes what each writing worker appends to its step block, in worker order
     * @param choosers the workers that choose a token after this pass, in worker order
     * @param events what happened while forming it (steps started, self-checks, a worker stopped by the context
     *     limit) and PASS_WRITTEN last
     */
    public record Pass(long number, List<Write> writes, List<String> choosers, List<EventData> events) {}

    /** A finished step to move: the first {@code count} tokens of {@code source} go to the end of {@code target}. */
    public record Promotion(String worker, int step, String source, String target, int count,
                            EventData.StepPromoted event) {}

    /**
     * How the run ended.
     *
     * @param reason {@code answer}, {@code budget} or {@code stopped} (see SESSION_FINISHED)
     * @param answer the answer, null when nobody gave one (then the finisher asks for it)
     * @param answerWorker who gave it
     * @param answerStep in which step
     * @param mergedText everything the workers wrote as one text: the prompt, the finished steps after the history
     *     header, every unfinished step with its marker after the unfinished header (the finisher's input without
     *     the finisher text)
     * @param answers every distinct answer and who gave it
     */
    public record Outcome(String reason, String answer, String answerWorker, Integer answerStep, String mergedText,
                          List<AnswerGiven> answers) {}

    private enum Phase { GENERATING, STOPPING, DONE }

    /** A step's text as written by its worker. */
    private record StepRecord(String worker, int step, String text) {}

    private static final int[] NONE = new int[0];

    private final class Worker {
        final WorkerSpec spec;
        final String name;
        Phase phase = Phase.GENERATING;
        int step;
        boolean needsOpening = true;
        /** The current step ended (STEP_FINISHED); its closing may still have to be written. */
        boolean stepEnded;
        /** The ended step's promotion is still to be scheduled (with the write of its closing). */
        boolean promotionDue;
        StringBuilder stepText = new StringBuilder();
        int stepGenerated;
        int generated;
        boolean budgetSpent;
        int[] closing = NONE;
        String closingText = "";
        int selfCheckFrom = -1;
        String selfCheckAnswer;
        final List<StepRecord> unpromoted = new ArrayList<>();

        Worker(WorkerSpec spec) {
            this.spec = spec;
            this.name = spec.name();
        }

        String history() {
            return spec.historyBlock();
        }
    }

    private record StopAnswer(String answer, String worker, int step) {}

    /** A promotion decided, to be made after the pass that writes the step's last tokens. */
    private record Due(String worker, int step, String source, String target, int count) {}

    private final SessionPlan plan;
    private final CollaborationPolicy rules;
    private final TokenHygiene hygiene;
    private final Encoder encoder;
    private final int contextLimit;
    private final CacheLedger ledger;
    private final List<Worker> workers = new ArrayList<>();
    private final Map<String, Worker> byName = new HashMap<>();
    private final List<Due> pendingPromotions = new ArrayList<>();
    private final List<StepRecord> promoted = new ArrayList<>();
    private final int[] selfCheckTokensBound;
    private final int separatorTokens;
    private long passes;
    private int tokensSinceSelfCheck;
    private List<String> choosers = List.of();
    private StopAnswer stopAnswer;

    /**
     * @param prefilled the initial content of every prefilled block (what PREFILL_FINISHED reports)
     * @param contextLimit the most tokens a worker's view may hold
     */
    public LockstepPolicy(SessionPlan plan, List<BlockContent> prefilled, TokenHygiene hygiene, Encoder encoder,
                          int contextLimit) {
        this.plan = plan;
        this.rules = plan.policy();
        this.hygiene = hygiene;
        this.encoder = encoder;
        this.contextLimit = contextLimit;
        this.ledger = new CacheLedger(plan);
        prefilled.forEach(b -> ledger.append(b.name(), b.tokenIds().stream().mapToInt(Integer::intValue).toArray(),
                b.text()));
        for (WorkerSpec spec : plan.workers()) {
            Worker w = new Worker(spec);
            workers.add(w);
            byName.put(w.name, w);
        }
        this.selfCheckTokensBound = rules.selfCheckEveryTokens() > 0 ? encoder.encode(rules.selfCheckText()) : NONE;
        this.separatorTokens = encoder.encode(StepText.SEPARATOR).length;
    }

    /** The cache as this policy has written it so far. */
    public CacheLedger ledger() {
        return ledger;
    }

    public long passes() {
        return passes;
    }

    /** Tokens all workers generated (EOS included). */
    public int tokens() {
        return workers.stream().mapToInt(w -> w.generated).sum();
    }

    /** Each worker's counters. */
    public List<WorkerProgress> progress() {
        return workers.stream().map(w -> new WorkerProgress(w.name, w.step, w.generated,
                w.phase == Phase.GENERATING ? "generating" : "done")).toList();
    }

    /**
     * The next pass: every worker's write, in worker order, or empty when the run is over (an answer stopped it, or
     * no worker generates any more: the last writes of stopping workers are then not made, no pass would read them).
     */
    public Optional<Pass> nextPass() {
        if (stopAnswer != null || workers.stream().noneMatch(w -> w.phase == Phase.GENERATING)) {
            return Optional.empty();
        }
        long number = passes + 1;
        List<EventData> events = new ArrayList<>();
        Map<Worker, Boolean> writers = new LinkedHashMap<>(); // worker -> opens a step
        for (Worker w : workers) {
            if (w.phase == Phase.GENERATING) {
                writers.put(w, w.needsOpening);
            } else if (w.phase == Phase.STOPPING) {
                writers.put(w, false);
            }
        }
        fitContext(writers, events);

        List<Write> writes = new ArrayList<>();
        List<String> next = new ArrayList<>();
        for (Map.Entry<Worker, Boolean> entry : writers.entrySet()) {
            Worker w = entry.getKey();
            int[] opening = NONE;
            String openingText = "";
            if (entry.getValue()) {
                openingText = openStep(w, events);
                opening = encoder.encode(openingText);
            }
            if (opening.length == 0 && w.closing.length == 0) {
                if (w.phase == Phase.STOPPING) {
                    w.phase = Phase.DONE;
                }
                continue;
            }
            Write write = new Write(w.name, w.closing, w.closingText, opening, openingText);
            String block = w.spec.stepBlock();
            int before = ledger.length(block);
            ledger.append(block, write.tokens(), write.text());
            if (w.promotionDue) {
                schedulePromotion(w, before + w.closing.length);
            }
            w.closing = NONE;
            w.closingText = "";
            if (w.phase == Phase.STOPPING) {
                w.phase = Phase.DONE;
            }
            writes.add(write);
            if (w.phase == Phase.GENERATING) {
                next.add(w.name);
            }
        }
        events.add(new EventData.PassWritten(number, writes.stream().map(w -> new EventData.WorkerWrite(w.worker(),
                Arrays.stream(w.tokens()).boxed().toList(), w.text())).toList()));
        passes = number;
        choosers = List.copyOf(next);
        return Optional.of(new Pass(number, List.copyOf(writes), choosers, List.copyOf(events)));
    }

    /**
     * A worker whose view would overflow the context stops: once its view could no longer take this pass's writes and
     * still leave room to close its step in the next one, it closes its step now and starts no new one; when even
     * that does not fit (other workers' writes also grow its view), it stops without writing at all.
     */
    private void fitContext(Map<Worker, Boolean> writers, List<EventData> events) {
        for (int round = 0; round < 2; round++) {
            int reserve = round == 0 ? separatorTokens + writers.size() : 0;
            Map<String, Integer> incoming = new HashMap<>();
            writers.forEach((w, opens) -> incoming.merge(w.spec.stepBlock(),
                    w.closing.length + (opens ? openingBound(w) : 0), Integer::sum));
            for (Worker w : List.copyOf(writers.keySet())) {
                int projected = ledger.view(w.name).stream()
                        .mapToInt(b -> ledger.length(b) + incoming.getOrDefault(b, 0)).sum();
                if (projected + (w.phase == Phase.GENERATING ? reserve : 0) <= contextLimit) {
                    continue;
                }
                if (round == 0) {
                    writers.put(w, false);
                    w.needsOpening = false;
                    if (!w.stepEnded && w.step > 0) {
                        endStep(w, "context", events);
                    }
                    w.phase = Phase.STOPPING;
                } else {
                    writers.remove(w);
                    w.promotionDue = false;
                    w.phase = Phase.DONE;
                }
            }
        }
    }

    /** At most how many tokens {@code w}'s next opening takes (its prefix, opening line and a self-check). */
    private int openingBound(Worker w) {
        return encoder.encode(openingText(w.name, w.step + 1)).length + selfCheckTokensBound.length;
    }

    private String openingText(String name, int step) {
        String prefix = PromptTexts.stepPrefix(rules.stepPrefixFormat(), name, step);
        if (step == 1 && rules.openingFormat() != null) {
            prefix += PromptTexts.stepPrefix(rules.openingFormat(), name, step);
        }
        return prefix;
    }

    /** Starts {@code w}'s next step: its prefix, and the self-check question when one is due. */
    private String openStep(Worker w, List<EventData> events) {
        w.step++;
        String prefix = openingText(w.name, w.step);
        events.add(new EventData.StepStarted(w.name, w.step, prefix));
        String text = prefix;
        w.selfCheckFrom = -1;
        w.selfCheckAnswer = null;
        int every = rules.selfCheckEveryTokens();
        if (every > 0 && tokensSinceSelfCheck >= every) {
            text += rules.selfCheckText();
            w.selfCheckFrom = text.length();
            tokensSinceSelfCheck = 0;
            events.add(new EventData.SelfCheckInserted(w.name, w.step, rules.selfCheckText(), w.generated));
        }
        w.stepText = new StringBuilder(text);
        w.stepGenerated = 0;
        w.stepEnded = false;
        w.needsOpening = false;
        return text;
    }

    /** The workers that choose a token after the current pass. */
    public List<String> choosers() {
        return choosers;
    }

    /** Suppresses, in {@code logits}, every token {@code worker} may not write next (see {@link TokenHygiene}). */
    public void suppress(String worker, float[] logits) {
        hygiene.suppress(logits, worker(worker).stepText);
    }

    /**
     * The token {@code worker} chose after the current pass, with its decoded text ({@code delta}; ignored for EOS).
     * Returns what happened: TOKENS, and when it ends the step STEP_FINISHED (after BUDGET_EXHAUSTED when the budget
     * is spent).
     */
    public List<EventData> accept(String worker, int token, String delta) {
        Worker w = worker(worker);
        if (w.phase != Phase.GENERATING || !choosers.contains(worker)) {
            throw new IllegalStateException("worker '" + worker + "' does not choose a token now");
        }
        List<EventData> events = new ArrayList<>();
        w.generated++;
        w.stepGenerated++;
        tokensSinceSelfCheck++;
        boolean eos = hygiene.isEos(token);
        String text = eos ? "" : delta;
        events.add(new EventData.Tokens(w.name, w.step, List.of(token), text, eos));
        if (!eos) {
            w.stepText.append(text);
            w.closing = new int[] {token};
            w.closingText = text;
        }
        if (w.selfCheckFrom >= 0 && w.selfCheckAnswer == null) {
            w.selfCheckAnswer = SelfCheckAnswer.classify(w.stepText.substring(w.selfCheckFrom), false);
        }
        boolean budget = w.generated >= rules.maxTokensPerWorker();
        String end = eos ? "eos"
                : StepText.endsStep(w.stepText) ? "separator"
                : budget ? "budget"
                : w.stepGenerated >= rules.maxStepTokens() ? "max_step_tokens"
                : null;
        if (budget) {
            w.budgetSpent = true;
            events.add(new EventData.BudgetExhausted(w.name, w.step, w.generated));
        }
        if (end != null) {
            endStep(w, end, events);
            if (eos || budget) {
                stop(w);
            } else {
                w.needsOpening = true;
            }
        }
        return events;
    }

    /** Ends {@code w}'s current step: a cut step gets its closing blank line; STEP_FINISHED; an answer may stop all. */
    private void endStep(Worker w, String end, List<EventData> events) {
        if (!end.equals("separator")) {
            String close = StepText.closingFor(w.stepText);
            if (!close.isEmpty()) {
                int[] ids = encoder.encode(close);
                int[] closing = Arrays.copyOf(w.closing, w.closing.length + ids.length);
                System.arraycopy(ids, 0, closing, w.closing.length, ids.length);
                w.closing = closing;
                w.closingText += close;
                w.stepText.append(close);
            }
        }
        if (w.selfCheckFrom >= 0 && w.selfCheckAnswer == null) {
            w.selfCheckAnswer = SelfCheckAnswer.classify(w.stepText.substring(w.selfCheckFrom), true);
        }
        String text = w.stepText.toString();
        events.add(new EventData.StepFinished(w.name, w.step, text, w.stepGenerated, ledger.extents(w.name), end,
                w.selfCheckAnswer));
        w.unpromoted.add(new StepRecord(w.name, w.step, text));
        w.stepEnded = true;
        w.promotionDue = w.history() != null;
        if (rules.stopOnBoxedAnswer() && stopAnswer == null) {
            StepText.lastValidBoxed(text).ifPresent(a -> stopAnswer = new StopAnswer(a, w.name, w.step));
        }
    }

    /** {@code w} writes no more steps; when its step needs no closing write, it is promoted at once. */
    private void stop(Worker w) {
        w.needsOpening = false;
        if (w.closing.length == 0) {
            if (w.promotionDue) {
                schedulePromotion(w, ledger.length(w.spec.stepBlock()));
            }
            w.phase = Phase.DONE;
        } else {
            w.phase = Phase.STOPPING;
        }
    }

    private void schedulePromotion(Worker w, int count) {
        w.promotionDue = false;
        StepRecord step = w.unpromoted.get(w.unpromoted.size() - 1);
        pendingPromotions.add(new Due(w.name, step.step(), w.spec.stepBlock(), w.history(), count));
    }

    /**
     * The finished steps to move into their history blocks now (after the pass that wrote their last tokens, before
     * the next), each with its STEP_PROMOTED event.
     */
    public List<Promotion> takePromotions() {
        List<Promotion> out = new ArrayList<>();
        for (Due p : pendingPromotions) {
            Worker w = worker(p.worker());
            StepRecord step = w.unpromoted.stream().filter(s -> s.step() == p.step()).findFirst().orElseThrow();
            w.unpromoted.remove(step);
            promoted.add(step);
            ledger.promote(p.source(), p.target(), p.count(), step.text());
            out.add(new Promotion(p.worker(), p.step(), p.source(), p.target(), p.count(),
                    new EventData.StepPromoted(p.worker(), p.step(), p.source(), p.target(), p.count(),
                            ledger.length(p.target()))));
        }
        pendingPromotions.clear();
        return out;
    }

    /** Whether a step holding an answer stopped the run. */
    public boolean stoppedByAnswer() {
        return stopAnswer != null;
    }

    /**
     * How the run ended. The merged text is the cache as it would be after the writes that no pass made any more
     * (each worker's last token, the blank line closing its step) and their promotions, without new steps.
     */
    public Outcome finish() {
        CacheLedger end = ledger.copy();
        List<StepRecord> order = new ArrayList<>(promoted);
        Map<Worker, List<StepRecord>> unpromoted = new LinkedHashMap<>();
        workers.forEach(w -> unpromoted.put(w, new ArrayList<>(w.unpromoted)));
        for (Due p : pendingPromotions) {
            List<StepRecord> rest = unpromoted.get(worker(p.worker()));
            StepRecord step = rest.stream().filter(s -> s.step() == p.step()).findFirst().orElseThrow();
            rest.remove(step);
            end.promote(p.source(), p.target(), p.count(), step.text());
            order.add(step);
        }
        for (Worker w : workers) {
            List<StepRecord> rest = unpromoted.get(w);
            String block = w.spec.stepBlock();
            if (w.closing.length > 0) {
                end.append(block, w.closing, w.closingText);
            }
            if (w.promotionDue && !rest.isEmpty()) {
                StepRecord step = rest.remove(rest.size() - 1);
                end.promote(block, w.history(), end.length(block), step.text());
                order.add(step);
            }
            if (w.step > 0 && !w.stepEnded) {
                rest.add(new StepRecord(w.name, w.step, w.stepText.toString()));
            }
        }
        unpromoted.values().forEach(order::addAll);

        StringBuilder merged = new StringBuilder();
        List<String> histories = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        for (String name : end.blockNames()) {
            BlockRole role = end.role(name);
            if (role == BlockRole.PROMPT) {
                merged.append(end.text(name));
            } else if (role == BlockRole.HISTORY) {
                histories.add(name);
            } else if (role == BlockRole.WORKER_STEP && !end.text(name).isEmpty()) {
                steps.add(name);
            }
        }
        if (!histories.isEmpty()) {
            merged.append(Objects.requireNonNullElse(rules.historyHeader(), ""));
            histories.forEach(h -> merged.append(end.text(h)));
        }
        if (!steps.isEmpty()) {
            String marker = Objects.requireNonNullElse(rules.unfinishedMarker(), "");
            merged.append(Objects.requireNonNullElse(rules.unfinishedHeader(), ""));
            steps.forEach(s -> merged.append(end.text(s)).append(marker));
        }

        String reason = stopAnswer != null ? "answer"
                : workers.stream().anyMatch(w -> w.budgetSpent) ? "budget" : "stopped";
        String answer = null;
        String who = null;
        Integer where = null;
        if (stopAnswer != null) {
            answer = stopAnswer.answer();
            who = stopAnswer.worker();
            where = stopAnswer.step();
        } else {
            for (StepRecord step : order) {
                Optional<String> last = StepText.lastValidBoxed(step.text());
                if (last.isPresent()) {
                    answer = last.get();
                    who = step.worker();
                    where = step.step();
                }
            }
        }
        List<AnswerGiven> answers = Answers.collect(order.stream()
                .map(s -> new Answers.Written(s.worker(), s.text())).toList());
        return new Outcome(reason, answer, who, where, merged.toString(), answers);
    }

    private Worker worker(String name) {
        Worker w = byName.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no worker '" + name + "' in this session");
        }
        return w;
    }
}
