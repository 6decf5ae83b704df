package io.hogwild.lockstep;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.policy.Answers;
import io.hogwild.collaboration.policy.LockstepPolicy;
import io.hogwild.collaboration.policy.StepText;
import io.hogwild.collaboration.policy.TokenHygiene;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.PrefixCache;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session from its plan to SESSION_FINISHED, as a state machine: {@link #next} says what the session writes in
 * the next forward pass, {@link #accept} takes that pass's logits (token choices, policy, events, promotions). Whoever
 * drives it runs the pass: {@link #run()} alone on the calling thread (tools, tests, evaluation), or the GPU worker's
 * {@link LockstepScheduler} together with every other active session in one joint pass. A session's tokens and events
 * do not depend on who drives it. This is the engine side of the collaboration policy, whose rules all live in
 * {@link LockstepPolicy} (collaboration/README.md).
 *
 * <p>Setup: create the plan's blocks and prefill each one with its initial content through a pseudo-writer (headers
 * and markers on their own, the prompt in the context of the prompt blocks before it: see {@link #planPrefill}), as
 * one causal prompt, in chunks of at most {@link HogwildSession#DEFAULT_PREFILL_CHUNK} tokens, one chunk per pass.
 * Then every worker's view is set; the loop never looks at the layout.
 *
 * <p>Each lockstep pass writes what the policy says (each worker's chosen token, and at a step boundary the next
 * step's prefix in the same write); from the pass's logits every generating worker chooses its next token with the
 * policy's suppressed tokens masked, the tokens go to the policy, and finished steps move into their history blocks
 * ({@link HogwildSession#promote(String, String, int)}). Cancellation is checked before every pass.
 *
 * <p>A resumed session (a plan with {@code resume}) runs exactly the same way, with the recorded choices in place of
 * the sampled ones until they are used up, and without emitting the events the run's log already holds
 * ({@link SessionRun}): the cache, the policy's counters and the samplers' streams are then where the original
 * session's were, and the session goes on live.
 *
 * <p>When the policy has nothing more to write, the shared cache is freed; if nobody gave an answer, a finisher runs
 * over the merged text in a fresh single-sequence session (greedy, {@code finisher_tokens} tokens, stopping at EOS or
 * once its {@code \boxed{}} closes). Then FINAL_ANSWER (when there is one) and SESSION_FINISHED with every distinct
 * answer. Any failure emits ERROR then SESSION_FINISHED (reason error).
 */
public final class LockstepLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LockstepLoop.class);
    /** Pseudo-writers that prefill the initial blocks; the NUL keeps them apart from any worker name. */
    private static final String INIT_WRITER = "\u0000init:";
    private static final String FINISHER_BLOCK = "finisher";

    /** What a session writes in one forward pass, on one of its caches. */
    public record Work(HogwildSession session, List<Write> writes) {

        public int tokens() {
            return writes.stream().mapToInt(Write::length).sum();
        }
    }

    private enum Phase { NEW, PREFILL, DECODE, FINISHER, DONE }

    /**
     * An initial block's prefill: its pseudo-writer, what it sees, its tokens, how many are in the cache. A block
     * with nothing before it in its view depends on its own tokens alone: its start may come from the prefix cache.
     */
    private static final class BlockPrefill {
        final String block;
        final String writer;
        final List<String> view;
        final int[] tokens;
        int done;
        boolean started;
        boolean reused;

        BlockPrefill(String block, List<String> view, int[] tokens) {
            this.block = block;
            this.writer = INIT_WRITER + block;
            this.view = view;
            this.tokens = tokens;
        }

        boolean standalone() {
            return view.size() == 1;
        }

        int[] nextChunk() {
            return Arrays.copyOfRange(tokens, done, Math.min(tokens.length, done + HogwildSession.DEFAULT_PREFILL_CHUNK));
        }
    }

    private final ValidatedPlan validated;
    private final SessionPlan plan;
    private final CollaborationPolicy rules;
    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final TokenHygiene hygiene;
    private final TokenChooser.Factory choosers;
    private final SessionRun run;
    private final LockstepMetrics metrics;
    private final int contextLimit;
    private final Map<String, TokenChooser> chooserByWorker = new HashMap<>();
    private final Map<String, IncrementalDecoder> decoders = new HashMap<>();
    private final LockstepPolicy policy;
    private final Replay replay;
    private final Queue<BlockPrefill> prefills = new ArrayDeque<>();
    private final PrefixCache prefixCache;
    private long prefilledTokens;
    private long reusedTokens;
    private final Map<String, Integer> tokensPerBlock = new LinkedHashMap<>();
    private Phase phase = Phase.NEW;
    private HogwildSession session;
    private long lockstep;
    /** The pass whose logits {@link #accept} expects, during DECODE. */
    private LockstepPolicy.Pass pending;
    private long passStart;
    private Finisher finisher;

    public LockstepLoop(ValidatedPlan validated, LanguageModel model, TokenChooser.Factory choosers, SessionRun run,
                        LockstepMetrics metrics) {
        this(validated, model, choosers, run, metrics, null);
    }

    /**
     * @param prefixCache where blocks that depend on their own tokens alone (prompt, headers, markers) are looked up
     *     before they are prefilled, and offered once computed; {@code null}: every block is computed
     */
    public LockstepLoop(ValidatedPlan validated, LanguageModel model, TokenChooser.Factory choosers, SessionRun run,
                        LockstepMetrics metrics, PrefixCache prefixCache) {
        this.prefixCache = prefixCache;
        this.validated = validated;
        this.plan = validated.plan();
        this.rules = plan.policy();
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.hygiene = CheckpointVocabulary.hygiene(model);
        this.choosers = choosers;
        this.run = run;
        this.metrics = metrics;
        this.contextLimit = model.config().maxPositionEmbeddings();
        for (int i = 0; i < plan.workers().size(); i++) {
            WorkerSpec spec = plan.workers().get(i);
            chooserByWorker.put(spec.name(), choosers.create(i, spec, plan.sampling()));
            decoders.put(spec.name(), new IncrementalDecoder(tokenizer));
        }
        this.policy = new LockstepPolicy(plan, validated.prefilled(), hygiene, tokenizer::encode, contextLimit);
        this.replay = Replay.of(plan.resume());
    }

    /** Runs the whole session alone on the calling thread, one forward pass of its own at a time. */
    @Override
    public void run() {
        while (!done()) {
            try {
                Work work = next(Integer.MAX_VALUE);
                if (work != null) {
                    accept(work.session().forward(work.writes(), Transformer.Readout.LAST_PER_WRITER));
                }
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    public SessionRun sessionRun() {
        return run;
    }

    /** Whether SESSION_FINISHED has been emitted. */
    public boolean done() {
        return phase == Phase.DONE;
    }

    /** Whether the next pass is a prefill chunk (the scheduler fits those under its token budget). */
    public boolean prefilling() {
        return phase == Phase.NEW || phase == Phase.PREFILL || finisher != null && finisher.prefilling();
    }

    /**
     * The writes of this session's next forward pass, whose logits (last row per writer) go to {@link #accept};
     * {@code null} when the session is done, or when its next pass is a prefill chunk of more than
     * {@code prefillBudget} tokens (it waits for a pass with room). Decode passes are returned whatever the budget.
     */
    public Work next(int prefillBudget) {
        if (pending != null) {
            throw new IllegalStateException("the logits of the previous pass were not accepted");
        }
        while (true) {
            switch (phase) {
                case NEW -> start();
                case PREFILL -> {
                    Work work = nextPrefillChunk(prefillBudget);
                    if (work != null || !prefills.isEmpty()) {
                        return work;
                    }
                    prefillFinished();
                }
                case DECODE -> {
                    Work work = nextDecodePass();
                    if (work != null) {
                        return work;
                    }
                }
                case FINISHER -> {
                    Work work = finisher.next(prefillBudget);
                    if (work != null || !finisher.done()) {
                        return work;
                    }
                    endFinisher();
                }
                case DONE -> {
                    return null;
                }
            }
        }
    }

    /** The logits of the pass {@link #next} returned: one row per writer. */
    public void accept(Map<String, float[][]> logits) {
        switch (phase) {
            case PREFILL -> acceptPrefillChunk();
            case DECODE -> acceptDecodePass(logits);
            case FINISHER -> finisher.accept(logits.get(FINISHER_BLOCK)[0]);
            default -> throw new IllegalStateException("no pass is expected in phase " + phase);
        }
    }

    /** Ends the session on a failure: ERROR, then SESSION_FINISHED (reason error). The caches are freed first. */
    public void fail(Throwable t) {
        if (phase == Phase.DONE) {
            return;
        }
        log.error("Session {} failed", run.sessionId(), t);
        pending = null;
        closeCaches();
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        try {
            run.emit(lockstep, new EventData.Error(message, t.getClass().getName()));
        } catch (RuntimeException ignored) {
            // the log itself failed; SESSION_FINISHED below is still attempted
        }
        end(new Ending(SessionState.FAILED, "error", null, List.of()));
    }

    private record Ending(SessionState state, String reason, String answer, List<AnswerGiven> answers) {}

    private void start() {
        run.emit(0, new EventData.SessionStarted(plan.layout(), plan.workers().stream().map(WorkerSpec::name)
                .toList()));
        session = new HogwildSession(model.transformer(), AttentionMode.SHARED);
        planPrefill();
        phase = Phase.PREFILL;
    }

    /**
     * Each initial block through its own pseudo-writer. Headers and markers are prefilled on their own (a view of
     * just that block: see {@link PlanBuilder#prefilledAlone}); every other block in the context of the non-standalone
     * blocks before it in plan order, then itself, exactly as one causal prompt would be. Chunked.
     */
    private void planPrefill() {
        session.createBlocks(plan.blocks().stream().map(b -> b.name()).toList());
        Map<String, BlockRole> roles = new LinkedHashMap<>();
        plan.blocks().forEach(b -> roles.put(b.name(), b.role()));
        List<String> context = new ArrayList<>();
        validated.initialTokens().forEach((block, tokens) -> {
            boolean alone = PlanBuilder.prefilledAlone(roles.get(block));
            List<String> view = new ArrayList<>(alone ? List.of() : context);
            view.add(block);
            if (tokens.length > 0) {
                prefills.add(new BlockPrefill(block, List.copyOf(view), tokens));
            }
            if (!alone) {
                context.add(block);
            }
            tokensPerBlock.put(block, tokens.length);
        });
    }

    /**
     * The next chunk of the current block, after taking what the prefix cache has of its start when it begins;
     * {@code null} when the chunk exceeds the budget or nothing is left to prefill.
     */
    private Work nextPrefillChunk(int prefillBudget) {
        while (!prefills.isEmpty()) {
            BlockPrefill p = prefills.peek();
            if (!p.started) {
                p.started = true;
                session.setView(p.writer, p.view);
                if (prefixCache != null && p.standalone()) {
                    reuseCachedStart(p);
                }
            }
            if (p.done < p.tokens.length) {
                int[] chunk = p.nextChunk();
                return chunk.length > prefillBudget ? null
                        : new Work(session, List.of(new Write(p.writer, chunk)));
            }
            blockPrefilled(prefills.remove());
        }
        return null;
    }

    private void reuseCachedStart(BlockPrefill p) {
        prefixCache.lookup(p.tokens).ifPresent(lease -> {
            try (lease) {
                session.cache().copyIn(p.block, lease.segment(), lease.tokens());
                p.done = lease.tokens();
                p.reused = true;
                reusedTokens += lease.tokens();
            }
        });
    }

    /** The prefill's own logits are not needed: the first pass's writes are fixed by the plan. */
    private void acceptPrefillChunk() {
        BlockPrefill p = prefills.peek();
        int n = p.nextChunk().length;
        p.done += n;
        prefilledTokens += n;
        if (p.done == p.tokens.length) {
            blockPrefilled(prefills.remove());
        }
    }

    /** A block computed from scratch with nothing before it in its view is offered to the prefix cache. */
    private void blockPrefilled(BlockPrefill p) {
        if (prefixCache != null && p.standalone() && !p.reused) {
            prefixCache.offer(p.tokens, p.tokens.length * session.cache().bytesPerToken(),
                    into -> session.cache().copyOut(p.block, p.tokens.length, into));
        }
        publishProgress();
    }

    /** Tokens this session computed in prefill passes (its own initial blocks, without what it copied). */
    public long prefilledTokens() {
        return prefilledTokens;
    }

    /** Tokens of its initial blocks this session copied from the prefix cache instead of computing them. */
    public long reusedTokens() {
        return reusedTokens;
    }

    private void prefillFinished() {
        publishProgress();
        run.emit(0, new EventData.PrefillFinished(tokensPerBlock, validated.prefilled()));
        for (WorkerSpec w : plan.workers()) {
            session.setView(w.name(), w.view());
        }
        run.running();
        phase = Phase.DECODE;
    }

    /** The next lockstep pass's writes; {@code null} once the policy is done or the session was cancelled. */
    private Work nextDecodePass() {
        if (run.cancelRequested()) {
            closeCaches();
            end(new Ending(SessionState.CANCELLED, "cancelled", null, List.of()));
            return null;
        }
        Optional<LockstepPolicy.Pass> next = policy.nextPass();
        if (next.isEmpty()) {
            LockstepPolicy.Outcome outcome = policy.finish();
            // The shared cache is freed before the finisher allocates its own.
            closeCaches();
            conclude(outcome);
            return null;
        }
        pending = next.get();
        passStart = System.nanoTime();
        lockstep = pending.number();
        emitAll(pending.events());
        return new Work(session, pending.writes().stream().map(w -> new Write(w.worker(), w.tokens())).toList());
    }

    private void acceptDecodePass(Map<String, float[][]> logits) {
        LockstepPolicy.Pass pass = pending;
        pending = null;
        for (String worker : pass.choosers()) {
            float[] scores = logits.get(worker)[0];
            policy.suppress(worker, scores);
            // A resumed session makes the recorded choices first; its sampler still draws for each of them, so its
            // seeded stream stands where the original's did when the first live choice comes.
            int drawn = chooserByWorker.get(worker).next(scores);
            int token = replay.next(worker).orElse(drawn);
            String text = hygiene.isEos(token) ? "" : decoders.get(worker).push(token);
            emitAll(policy.accept(worker, token, text));
        }
        for (LockstepPolicy.Promotion p : policy.takePromotions()) {
            session.promote(p.source(), p.target(), p.count());
            run.emit(lockstep, p.event());
        }
        metrics.tokensGenerated(pass.choosers().size());
        metrics.lockstepPass(System.nanoTime() - passStart);
        publishProgress();
    }

    /** The answer: the policy's, else the finisher's (which runs first); FINAL_ANSWER when there is one. */
    private void conclude(LockstepPolicy.Outcome outcome) {
        if (outcome.answer() != null) {
            run.emit(lockstep, new EventData.FinalAnswer(outcome.answer(), outcome.answerWorker(),
                    outcome.answerStep()));
            end(new Ending(SessionState.FINISHED, outcome.reason(), outcome.answer(), outcome.answers()));
        } else if (rules.finisherTokens() > 0) {
            finisher = new Finisher(outcome);
            phase = Phase.FINISHER;
        } else {
            end(new Ending(SessionState.FINISHED, outcome.reason(), null, outcome.answers()));
        }
    }

    private void endFinisher() {
        closeCaches();
        String answer = finisher.answer();
        List<AnswerGiven> answers = Answers.withFinisher(finisher.outcome.answers(), answer);
        if (answer != null) {
            run.emit(lockstep, new EventData.FinalAnswer(answer, null, null));
        }
        end(new Ending(SessionState.FINISHED, finisher.outcome.reason(), answer, answers));
    }

    private void end(Ending ending) {
        phase = Phase.DONE;
        publishProgress();
        run.finish(ending.state(), lockstep, new EventData.SessionFinished(ending.reason(), lockstep, policy.tokens(),
                ending.answer(), ending.answers(), Answers.disagree(ending.answers())));
    }

    private void closeCaches() {
        if (session != null) {
            session.close();
            session = null;
        }
        if (finisher != null) {
            finisher.close();
        }
    }

    /**
     * The finisher's input as tokens: the prompt blocks exactly as they were prefilled (the template's control tokens,
     * the caller's text already plain), then what the workers wrote as plain text (a control token a worker spelled
     * out stays text), then the finisher's question, the platform's own text.
     */
    private int[] finisherTokens(String merged) {
        StringBuilder promptText = new StringBuilder();
        List<int[]> pieces = new ArrayList<>();
        for (EventData.BlockContent block : validated.prefilled()) {
            boolean prompt = plan.blocks().stream()
                    .anyMatch(b -> b.name().equals(block.name()) && b.role() == BlockRole.PROMPT);
            if (prompt) {
                promptText.append(block.text());
                pieces.add(validated.initialTokens().get(block.name()));
            }
        }
        String written = merged;
        if (merged.startsWith(promptText.toString())) {
            written = merged.substring(promptText.length());
        } else {
            pieces.clear();
        }
        pieces.add(tokenizer.encode(written + rules.finisherText(),
                List.of(new Tokenizer.Span(0, written.length()))));
        return pieces.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /**
     * One greedy pass over the merged text and the finisher's question in a fresh one-block session, outside the
     * shared cache. An input longer than the context keeps its end (the finisher's question and the latest steps).
     */
    private final class Finisher implements AutoCloseable {
        private final LockstepPolicy.Outcome outcome;
        private final TokenChooser chooser = choosers.finisher();
        private final IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        private final List<Integer> generated = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private final Queue<int[]> inputChunks = new ArrayDeque<>();
        private HogwildSession cache;
        private int[] nextWrite;
        private boolean done;

        Finisher(LockstepPolicy.Outcome outcome) {
            this.outcome = outcome;
            String input = outcome.mergedText() + rules.finisherText();
            int[] tokens = finisherTokens(outcome.mergedText());
            int room = contextLimit - rules.finisherTokens();
            if (tokens.length > room) {
                tokens = Arrays.copyOfRange(tokens, tokens.length - Math.max(1, room), tokens.length);
            }
            run.emit(lockstep, new EventData.FinisherStarted(input, tokens.length));
            cache = new HogwildSession(model.transformer(), AttentionMode.SHARED);
            cache.createBlocks(List.of(FINISHER_BLOCK));
            cache.setView(FINISHER_BLOCK, List.of(FINISHER_BLOCK));
            int chunk = HogwildSession.DEFAULT_PREFILL_CHUNK;
            for (int from = 0; from < tokens.length; from += chunk) {
                inputChunks.add(Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunk)));
            }
        }

        boolean prefilling() {
            return !inputChunks.isEmpty();
        }

        boolean done() {
            return done;
        }

        Work next(int prefillBudget) {
            if (done) {
                return null;
            }
            int[] tokens = inputChunks.isEmpty() ? nextWrite : inputChunks.peek();
            if (!inputChunks.isEmpty() && tokens.length > prefillBudget) {
                return null;
            }
            return new Work(cache, List.of(new Write(FINISHER_BLOCK, tokens)));
        }

        void accept(float[] logits) {
            if (!inputChunks.isEmpty()) {
                inputChunks.remove();
                if (!inputChunks.isEmpty()) {
                    return;
                }
            }
            int token = chooser.next(logits);
            if (hygiene.isEos(token)) {
                finish();
                return;
            }
            generated.add(token);
            text.append(decoder.push(token));
            if (generated.size() >= rules.finisherTokens()
                    || StepText.lastValidBoxed(rules.finisherText() + text).isPresent()) {
                finish();
                return;
            }
            nextWrite = new int[] {token};
        }

        private void finish() {
            done = true;
            run.emit(lockstep, new EventData.FinisherFinished(List.copyOf(generated), text.toString(), answer()));
        }

        String answer() {
            return StepText.lastValidBoxed(rules.finisherText() + text).orElse(null);
        }

        @Override
        public void close() {
            if (cache != null) {
                cache.close();
                cache = null;
            }
        }
    }

    private void emitAll(List<EventData> events) {
        events.forEach(e -> run.emit(lockstep, e));
    }

    private void publishProgress() {
        boolean live = session != null && phase != Phase.DONE;
        run.publish(new SessionRun.Progress(lockstep, policy.progress(),
                live ? session.cache().allocatedBytes() : 0, live ? session.cache().usedBytes() : 0));
    }
}
