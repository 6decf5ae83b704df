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
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one session from its plan to SESSION_FINISHED on the calling thread (a lockstep thread of the service): the
 * engine side of the collaboration policy, whose rules all live in {@link LockstepPolicy} (collaboration/README.md).
 *
 * <p>Setup: create the plan's blocks and prefill each one with its initial content through a pseudo-writer (headers
 * and markers on their own, the prompt in the context of the prompt blocks before it: see {@link #prefill}), as one
 * causal prompt. Then every worker's view is set; the loop never looks at the layout.
 *
 * <p>Each lockstep pass writes what the policy says (each worker's chosen token, and at a step boundary the next
 * step's prefix in the same write), runs one joint forward pass, lets every generating worker choose its next token
 * from its logits with the policy's suppressed tokens masked, reports the tokens to the policy, and moves finished
 * steps into their history blocks ({@link HogwildSession#promote(String, String, int)}). Cancellation is checked
 * before every pass.
 *
 * <p>A resumed session (a plan with {@code resume}) runs exactly the same way, with the recorded choices in place of
 * the sampled ones until they are used up, and without emitting the events the run's log already holds
 * ({@link SessionRun}): the cache, the policy's counters and the samplers' streams are then where the original
 * session's were, and the session goes on live.
 *
 * <p>When the policy has nothing more to write, the shared cache is freed; if nobody gave an answer, one finisher pass
 * over the merged text runs in a fresh single-sequence session (greedy, {@code finisher_tokens} tokens, stopping at
 * EOS or once its {@code \boxed{}} closes). Then FINAL_ANSWER (when there is one) and SESSION_FINISHED with every
 * distinct answer. Any failure emits ERROR then SESSION_FINISHED (reason error).
 */
public final class LockstepLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LockstepLoop.class);
    /** Pseudo-writers that prefill the initial blocks; the NUL keeps them apart from any worker name. */
    private static final String INIT_WRITER = "\u0000init:";
    private static final String FINISHER_BLOCK = "finisher";

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
    private long lockstep;

    public LockstepLoop(ValidatedPlan validated, LanguageModel model, TokenChooser.Factory choosers, SessionRun run,
                        LockstepMetrics metrics) {
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

    @Override
    public void run() {
        Ending ending;
        try {
            Optional<LockstepPolicy.Outcome> outcome;
            try (HogwildSession session = new HogwildSession(model.transformer(), AttentionMode.SHARED)) {
                outcome = drive(session);
            }
            // The shared cache is freed (try-with-resources) before the finisher allocates its own.
            ending = outcome.isEmpty() ? new Ending(SessionState.CANCELLED, "cancelled", null, List.of())
                    : conclude(outcome.get());
        } catch (Throwable t) {
            log.error("Session {} failed", run.sessionId(), t);
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            try {
                run.emit(lockstep, new EventData.Error(message, t.getClass().getName()));
            } catch (RuntimeException ignored) {
                // the log itself failed; SESSION_FINISHED below is still attempted
            }
            ending = new Ending(SessionState.FAILED, "error", null, List.of());
        }
        publishProgress(null);
        run.finish(ending.state(), lockstep, new EventData.SessionFinished(ending.reason(), lockstep, policy.tokens(),
                ending.answer(), ending.answers(), Answers.disagree(ending.answers())));
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

    private record Ending(SessionState state, String reason, String answer, List<AnswerGiven> answers) {}

    /** The lockstep passes; empty when the session was cancelled. */
    private Optional<LockstepPolicy.Outcome> drive(HogwildSession session) {
        run.emit(0, new EventData.SessionStarted(plan.layout(), plan.workers().stream().map(WorkerSpec::name)
                .toList()));
        prefill(session);
        for (WorkerSpec w : plan.workers()) {
            session.setView(w.name(), w.view());
        }
        run.running();
        while (true) {
            if (run.cancelRequested()) {
                return Optional.empty();
            }
            Optional<LockstepPolicy.Pass> next = policy.nextPass();
            if (next.isEmpty()) {
                return Optional.of(policy.finish());
            }
            LockstepPolicy.Pass pass = next.get();
            long start = System.nanoTime();
            lockstep = pass.number();
            emitAll(pass.events());
            List<Write> writes = pass.writes().stream().map(w -> new Write(w.worker(), w.tokens())).toList();
            Map<String, float[][]> logits = session.forward(writes, Transformer.Readout.LAST_PER_WRITER);
            for (String worker : pass.choosers()) {
                float[] scores = logits.get(worker)[0];
                policy.suppress(worker, scores);
                // A resumed session makes the recorded choices first; its sampler still draws for each of them, so
                // its seeded stream stands where the original's did when the first live choice comes.
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
            metrics.lockstepPass(System.nanoTime() - start);
            publishProgress(session);
        }
    }

    /**
     * Each initial block through its own pseudo-writer. Headers and markers are prefilled on their own (a view of
     * just that block: see {@link PlanBuilder#prefilledAlone}); every other block in the context of the non-standalone
     * blocks before it in plan order, then itself, exactly as one causal prompt would be. Chunked.
     */
    private void prefill(HogwildSession session) {
        session.createBlocks(plan.blocks().stream().map(b -> b.name()).toList());
        Map<String, BlockRole> roles = new LinkedHashMap<>();
        plan.blocks().forEach(b -> roles.put(b.name(), b.role()));
        Map<String, Integer> tokensPerBlock = new LinkedHashMap<>();
        List<String> context = new ArrayList<>();
        validated.initialTokens().forEach((block, tokens) -> {
            boolean alone = PlanBuilder.prefilledAlone(roles.get(block));
            if (tokens.length > 0) {
                String writer = INIT_WRITER + block;
                List<String> view = new ArrayList<>(alone ? List.of() : context);
                view.add(block);
                session.setView(writer, view);
                session.prefill(writer, tokens, HogwildSession.DEFAULT_PREFILL_CHUNK);
            }
            if (!alone) {
                context.add(block);
            }
            tokensPerBlock.put(block, tokens.length);
        });
        publishProgress(session);
        run.emit(0, new EventData.PrefillFinished(tokensPerBlock, validated.prefilled()));
    }

    /** The answer: the policy's, else the finisher's; FINAL_ANSWER when there is one. */
    private Ending conclude(LockstepPolicy.Outcome outcome) {
        String answer = outcome.answer();
        List<AnswerGiven> answers = outcome.answers();
        if (answer != null) {
            run.emit(lockstep, new EventData.FinalAnswer(answer, outcome.answerWorker(), outcome.answerStep()));
        } else if (rules.finisherTokens() > 0) {
            answer = finisher(outcome.mergedText());
            answers = Answers.withFinisher(answers, answer);
            if (answer != null) {
                run.emit(lockstep, new EventData.FinalAnswer(answer, null, null));
            }
        }
        return new Ending(SessionState.FINISHED, outcome.reason(), answer, answers);
    }

    /**
     * One greedy pass over the merged text and the finisher's question in a fresh one-block session, outside the
     * shared cache; returns its answer. An input longer than the context keeps its end (the finisher's question and
     * the latest steps).
     */
    private String finisher(String merged) {
        String input = merged + rules.finisherText();
        int[] tokens = finisherTokens(merged);
        int room = contextLimit - rules.finisherTokens();
        if (tokens.length > room) {
            tokens = Arrays.copyOfRange(tokens, tokens.length - Math.max(1, room), tokens.length);
        }
        run.emit(lockstep, new EventData.FinisherStarted(input, tokens.length));
        TokenChooser chooser = choosers.finisher();
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        List<Integer> generated = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (HogwildSession session = new HogwildSession(model.transformer(), AttentionMode.SHARED)) {
            session.createBlocks(List.of(FINISHER_BLOCK));
            session.setView(FINISHER_BLOCK, List.of(FINISHER_BLOCK));
            float[] logits = session.prefill(FINISHER_BLOCK, tokens, HogwildSession.DEFAULT_PREFILL_CHUNK);
            while (true) {
                int token = chooser.next(logits);
                if (hygiene.isEos(token)) {
                    break;
                }
                generated.add(token);
                text.append(decoder.push(token));
                if (generated.size() >= rules.finisherTokens()
                        || StepText.lastValidBoxed(rules.finisherText() + text).isPresent()) {
                    break;
                }
                logits = session.forward(List.of(new Write(FINISHER_BLOCK, new int[] {token})),
                        Transformer.Readout.LAST_PER_WRITER).get(FINISHER_BLOCK)[0];
            }
        }
        String answer = StepText.lastValidBoxed(rules.finisherText() + text).orElse(null);
        run.emit(lockstep, new EventData.FinisherFinished(List.copyOf(generated), text.toString(), answer));
        return answer;
    }

    private void emitAll(List<EventData> events) {
        events.forEach(e -> run.emit(lockstep, e));
    }

    private void publishProgress(HogwildSession session) {
        run.publish(new SessionRun.Progress(lockstep, policy.progress(),
                session == null ? 0 : session.cache().allocatedBytes(),
                session == null ? 0 : session.cache().usedBytes()));
    }
}
