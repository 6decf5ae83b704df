package io.hogwild.lockstep;

import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.contracts.worker.WorkerProgress;
import io.hogwild.collaboration.policy.StepText;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.KvBlock;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one session from its plan to SESSION_FINISHED on the calling thread (a lockstep thread of the service).
 *
 * <p>Setup: create the plan's blocks and prefill each one with its initial content through a pseudo-writer whose
 * view is the blocks before it in plan order and then itself (keys still at block-local positions): the prompt and
 * headers are computed in context, as one causal prompt. Then every worker's view is set; the loop never looks at
 * the layout.
 *
 * <p>Each lockstep pass writes, for every worker still active, what it has to write: the token it sampled in the
 * previous step, or text the policy feeds (a step prefix, a self-check, the finisher), as one multi-token write.
 * One joint forward pass gives each worker's next-token logits; each worker then samples one token and the policy
 * decides what it writes next:
 * <ul>
 *   <li>a token that completes a step (see {@link StepText}) or reaches {@code max_step_tokens} is written in the
 *       next step, after which the step is finished (STEP_FINISHED), promoted into the worker's history block
 *       (STEP_PROMOTED, none without one) and the next step's prefix is fed (STEP_STARTED), with the self-check
 *       after it when one is due (SELF_CHECK_INSERTED);</li>
 *   <li>an EOS token of the model ends the step too, but is neither written nor decoded: it would otherwise sit
 *       in the shared history where other workers read it as "end of conversation". It still counts against the
 *       budget, so a model that keeps answering EOS cannot loop forever. It never ends the session: only the
 *       policy does;</li>
 *   <li>a complete {@code \boxed{...}} ends the session with FINAL_ANSWER when {@code stop_on_boxed_answer};</li>
 *   <li>at {@code max_tokens_per_worker} tokens: BUDGET_EXHAUSTED, the finisher text is appended to the current
 *       step (FINISHER_STARTED) and up to {@code finisher_tokens} greedy tokens follow, stopping early at a boxed
 *       answer or EOS; then the worker's last step is finished and promoted, and the worker is done. When all are
 *       done the session finishes with reason {@code budget} and the latest boxed answer any worker wrote.</li>
 * </ul>
 *
 * <p>Cancellation is checked before every lockstep pass. Any failure emits ERROR then SESSION_FINISHED (reason
 * error). The cache is always freed before SESSION_FINISHED is published.
 */
public final class LockstepLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LockstepLoop.class);
    /** Pseudo-writers that prefill the initial blocks; the NUL keeps them apart from any worker name. */
    private static final String INIT_WRITER = "\u0000init:";

    private enum Phase { GENERATING, FINISHING, DONE }

    /** One worker's state in the loop. */
    private static final class Worker {
        final WorkerSpec spec;
        final String name;
        final TokenChooser chooser;
        final IncrementalDecoder decoder;
        Phase phase = Phase.GENERATING;
        int step;
        int generated;
        int stepGenerated;
        int finisherLeft;
        int nextSelfCheckAt;
        StringBuilder stepText = new StringBuilder();
        /** Tokens to write in the next lockstep pass; null when there is nothing to write (done). */
        int[] input;
        /** After {@code input} is written, the step is over (why: the STEP_FINISHED end cause). */
        String closeAfterWrite;
        boolean doneAfterClose;

        Worker(WorkerSpec spec, TokenChooser chooser, Tokenizer tokenizer, int selfCheckEvery) {
            this.spec = spec;
            this.name = spec.name();
            this.chooser = chooser;
            this.decoder = new IncrementalDecoder(tokenizer);
            this.nextSelfCheckAt = selfCheckEvery;
        }
    }

    /** A boxed answer and where it was written. */
    private record Answer(String worker, int step, String text) {}

    private final ValidatedPlan validated;
    private final SessionPlan plan;
    private final CollaborationPolicy policy;
    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final Set<Integer> eos;
    private final SessionRun run;
    private final LockstepMetrics metrics;
    private final List<Worker> workers = new ArrayList<>();
    private final int contextLimit;
    private long lockstep;
    private Answer latestAnswer;

    public LockstepLoop(ValidatedPlan validated, LanguageModel model, TokenChooser.Factory choosers, SessionRun run,
                        LockstepMetrics metrics) {
        this.validated = validated;
        this.plan = validated.plan();
        this.policy = plan.policy();
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.eos = model.defaults().eosTokenIds();
        this.run = run;
        this.metrics = metrics;
        this.contextLimit = model.config().maxPositionEmbeddings();
        for (int i = 0; i < plan.workers().size(); i++) {
            WorkerSpec spec = plan.workers().get(i);
            workers.add(new Worker(spec, choosers.create(i, spec, plan.sampling()), tokenizer,
                    policy.selfCheckEveryTokens()));
        }
    }

    /** {@code format} with {@code {name}} and {@code {step}} replaced. */
    public static String stepPrefix(String format, String name, int step) {
        return format.replace("{name}", name).replace("{step}", Integer.toString(step));
    }

    @Override
    public void run() {
        Ending ending;
        try (HogwildSession session = new HogwildSession(model.transformer(), AttentionMode.SHARED)) {
            ending = drive(session);
        } catch (Throwable t) {
            log.error("Session {} failed", run.sessionId(), t);
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            try {
                run.emit(lockstep, new EventData.Error(message, t.getClass().getName()));
            } catch (RuntimeException ignored) {
                // the log itself failed; SESSION_FINISHED below is still attempted
            }
            ending = new Ending(SessionState.FAILED, "error", null);
        }
        // The cache is closed (try-with-resources) before the session is reported finished.
        int tokens = workers.stream().mapToInt(w -> w.generated).sum();
        publishProgress(null);
        run.finish(ending.state(), lockstep,
                new EventData.SessionFinished(ending.reason(), lockstep, tokens, ending.answer()));
    }

    private record Ending(SessionState state, String reason, String answer) {}

    private Ending drive(HogwildSession session) {
        run.emit(0, new EventData.SessionStarted(plan.layout(), workers.stream().map(w -> w.name).toList()));
        prefill(session);
        for (Worker w : workers) {
            session.setView(w.name, w.spec.view());
        }
        run.running();
        for (Worker w : workers) {
            startStep(w);
        }
        while (true) {
            if (run.cancelRequested()) {
                return new Ending(SessionState.CANCELLED, "cancelled", null);
            }
            List<Worker> writers = new ArrayList<>();
            for (Worker w : workers) {
                if (w.input != null && !fitsContext(session, w)) {
                    closeStep(session, w, "context", true);
                }
                if (w.input != null) {
                    writers.add(w);
                }
            }
            if (writers.isEmpty()) {
                if (latestAnswer != null) {
                    emitFinalAnswer(latestAnswer);
                }
                return new Ending(SessionState.FINISHED, "budget", latestAnswer == null ? null : latestAnswer.text());
            }
            long start = System.nanoTime();
            List<Write> writes = writers.stream().map(w -> new Write(w.name, w.input)).toList();
            Map<String, float[][]> logits = session.forward(writes, Transformer.Readout.LAST_PER_WRITER);
            lockstep++;
            int sampled = 0;
            for (Worker w : writers) {
                w.input = null;
                if (w.closeAfterWrite != null) {
                    closeStep(session, w, w.closeAfterWrite, w.doneAfterClose);
                    continue;
                }
                sampled++;
                Answer stop = generate(session, w, logits.get(w.name)[0]);
                if (stop != null) {
                    metrics.tokensGenerated(sampled);
                    emitFinalAnswer(stop);
                    return new Ending(SessionState.FINISHED, "answer", stop.text());
                }
            }
            metrics.tokensGenerated(sampled);
            metrics.lockstepPass(System.nanoTime() - start);
            publishProgress(session);
        }
    }

    /**
     * Each initial block through its own pseudo-writer whose view is every block before it in plan order, then the
     * block itself: the fixed text (prompt, headers) is computed in context, exactly as one causal prompt would be,
     * which is what every worker's view (those blocks first, in that order) reads. Chunked.
     */
    private void prefill(HogwildSession session) {
        session.createBlocks(plan.blocks().stream().map(b -> b.name()).toList());
        Map<String, Integer> tokensPerBlock = new LinkedHashMap<>();
        List<String> before = new ArrayList<>();
        validated.initialTokens().forEach((block, tokens) -> {
            before.add(block);
            if (tokens.length > 0) {
                String writer = INIT_WRITER + block;
                session.setView(writer, List.copyOf(before));
                session.prefill(writer, tokens, HogwildSession.DEFAULT_PREFILL_CHUNK);
            }
            tokensPerBlock.put(block, tokens.length);
        });
        publishProgress(session);
        run.emit(0, new EventData.PrefillFinished(tokensPerBlock));
    }

    /** Samples one token for {@code w} and applies the policy; returns the answer when it ends the session. */
    private Answer generate(HogwildSession session, Worker w, float[] logits) {
        boolean finishing = w.phase == Phase.FINISHING;
        int token = w.chooser.next(logits, finishing);
        boolean isEos = eos.contains(token);
        if (finishing) {
            w.finisherLeft--;
        } else {
            w.generated++;
        }
        w.stepGenerated++;
        int before = w.stepText.length();
        String delta = isEos ? "" : w.decoder.push(token);
        w.stepText.append(delta);
        run.emit(lockstep, new EventData.Tokens(w.name, w.step, List.of(token), delta, isEos));

        Optional<String> boxed = isEos ? Optional.empty() : StepText.boxedCompletedIn(w.stepText, before);
        if (boxed.isPresent()) {
            latestAnswer = new Answer(w.name, w.step, boxed.get());
            if (!finishing && policy.stopOnBoxedAnswer()) {
                return latestAnswer;
            }
        }
        if (finishing) {
            if (boxed.isPresent() || isEos || w.finisherLeft <= 0) {
                endWorker(session, w, token, isEos, "finisher");
            } else {
                w.input = new int[] {token};
            }
            return null;
        }
        if (w.generated >= policy.maxTokensPerWorker()) {
            run.emit(lockstep, new EventData.BudgetExhausted(w.name, w.step, w.generated));
            if (policy.finisherTokens() > 0) {
                startFinisher(w, token, isEos);
            } else {
                endWorker(session, w, token, isEos, "budget");
            }
            return null;
        }
        if (isEos) {
            closeStep(session, w, "eos", false); // nothing to write: the EOS itself stays out of the cache
        } else if (StepText.endsStep(w.stepText, before)) {
            w.input = new int[] {token};
            w.closeAfterWrite = "separator";
        } else if (w.stepGenerated >= policy.maxStepTokens()) {
            w.input = new int[] {token};
            w.closeAfterWrite = "max_step_tokens";
        } else {
            w.input = new int[] {token};
        }
        return null;
    }

    /** The finisher goes on the current step, right after the worker's last token, as one write. */
    private void startFinisher(Worker w, int lastToken, boolean lastIsEos) {
        w.phase = Phase.FINISHING;
        w.finisherLeft = policy.finisherTokens();
        int[] finisher = validated.finisherTokens();
        w.input = lastIsEos ? finisher : concat(new int[] {lastToken}, finisher);
        w.stepText.append(policy.finisherText());
        w.decoder.reset();
        run.emit(lockstep, new EventData.FinisherStarted(w.name, w.step, policy.finisherText()));
    }

    /** The worker has nothing more to say: its last token is written, then its step finished and promoted. */
    private void endWorker(HogwildSession session, Worker w, int lastToken, boolean lastIsEos, String why) {
        if (lastIsEos) {
            closeStep(session, w, why, true);
        } else {
            w.input = new int[] {lastToken};
            w.closeAfterWrite = why;
            w.doneAfterClose = true;
        }
    }

    /** The step's tokens are all in the cache: report it, promote it, and start the next one (or stop). */
    private void closeStep(HogwildSession session, Worker w, String why, boolean done) {
        w.closeAfterWrite = null;
        w.input = null;
        List<BlockExtent> view = session.cache().view(w.name).stream()
                .map(b -> new BlockExtent(b.name(), b.length())).toList();
        run.emit(lockstep, new EventData.StepFinished(w.name, w.step, w.stepText.toString(), w.stepGenerated, view,
                why));
        String history = w.spec.historyBlock();
        if (history != null) {
            String source = w.spec.stepBlock();
            session.promote(source, history);
            run.emit(lockstep, new EventData.StepPromoted(w.name, w.step, source, history,
                    session.cache().block(history).length()));
        }
        if (done) {
            w.phase = Phase.DONE;
        } else {
            startStep(w);
        }
    }

    /** Feeds the next step's prefix, and the self-check after it when one is due. */
    private void startStep(Worker w) {
        w.step++;
        w.stepGenerated = 0;
        w.stepText = new StringBuilder();
        w.decoder.reset();
        String prefix = stepPrefix(policy.stepPrefixFormat(), w.name, w.step);
        int[] input = tokenizer.encode(prefix);
        w.stepText.append(prefix);
        run.emit(lockstep, new EventData.StepStarted(w.name, w.step, prefix));
        int every = policy.selfCheckEveryTokens();
        if (every > 0 && w.generated >= w.nextSelfCheckAt) {
            input = concat(input, validated.selfCheckTokens());
            w.stepText.append(policy.selfCheckText());
            w.nextSelfCheckAt = (w.generated / every + 1) * every;
            run.emit(lockstep, new EventData.SelfCheckInserted(w.name, w.step, policy.selfCheckText(), w.generated));
        }
        w.input = input;
    }

    /** Positions beyond the model's context would attend with untrained rotations: such a worker stops. */
    private boolean fitsContext(HogwildSession session, Worker w) {
        long viewLength = session.cache().view(w.name).stream().mapToLong(KvBlock::length).sum();
        return viewLength + w.input.length <= contextLimit;
    }

    private void emitFinalAnswer(Answer answer) {
        run.emit(lockstep, new EventData.FinalAnswer(answer.worker(), answer.step(), answer.text()));
    }

    private void publishProgress(HogwildSession session) {
        List<WorkerProgress> progress = workers.stream().map(w -> new WorkerProgress(w.name, w.step, w.generated,
                switch (w.phase) {
                    case GENERATING -> "generating";
                    case FINISHING -> "finishing";
                    case DONE -> "done";
                })).toList();
        run.publish(new SessionRun.Progress(lockstep, progress,
                session == null ? 0 : session.cache().allocatedBytes(),
                session == null ? 0 : session.cache().usedBytes()));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
