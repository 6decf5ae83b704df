package io.hogwild.contracts.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.run.RunStatus;
import java.util.List;
import java.util.Map;

/**
 * What an event says: one record per {@link EventType}, holding exactly that event's fields. Envelopes
 * ({@link io.hogwild.contracts.worker.SessionEvent}, {@link io.hogwild.contracts.run.RunEvent}) carry it as
 * {@code data} and write its type name as their own top-level {@code type}, which is how a reader knows which record
 * {@code data} is (the names below are the {@link EventType} constants; a test keeps them in step).
 */
@JsonSubTypes({
        @JsonSubTypes.Type(value = EventData.RunQueued.class, name = "RUN_QUEUED"),
        @JsonSubTypes.Type(value = EventData.RunStarted.class, name = "RUN_STARTED"),
        @JsonSubTypes.Type(value = EventData.RunResumed.class, name = "RUN_RESUMED"),
        @JsonSubTypes.Type(value = EventData.SessionStarted.class, name = "SESSION_STARTED"),
        @JsonSubTypes.Type(value = EventData.PrefillFinished.class, name = "PREFILL_FINISHED"),
        @JsonSubTypes.Type(value = EventData.PassWritten.class, name = "PASS_WRITTEN"),
        @JsonSubTypes.Type(value = EventData.StepStarted.class, name = "STEP_STARTED"),
        @JsonSubTypes.Type(value = EventData.SelfCheckInserted.class, name = "SELF_CHECK_INSERTED"),
        @JsonSubTypes.Type(value = EventData.Tokens.class, name = "TOKENS"),
        @JsonSubTypes.Type(value = EventData.StepFinished.class, name = "STEP_FINISHED"),
        @JsonSubTypes.Type(value = EventData.StepPromoted.class, name = "STEP_PROMOTED"),
        @JsonSubTypes.Type(value = EventData.BudgetExhausted.class, name = "BUDGET_EXHAUSTED"),
        @JsonSubTypes.Type(value = EventData.FinisherStarted.class, name = "FINISHER_STARTED"),
        @JsonSubTypes.Type(value = EventData.FinisherFinished.class, name = "FINISHER_FINISHED"),
        @JsonSubTypes.Type(value = EventData.FinalAnswer.class, name = "FINAL_ANSWER"),
        @JsonSubTypes.Type(value = EventData.SessionFinished.class, name = "SESSION_FINISHED"),
        @JsonSubTypes.Type(value = EventData.Error.class, name = "ERROR"),
        @JsonSubTypes.Type(value = EventData.CancelRequested.class, name = "CANCEL_REQUESTED"),
        @JsonSubTypes.Type(value = EventData.RunEnded.class, name = "RUN_ENDED"),
        @JsonSubTypes.Type(value = EventData.QueuePosition.class, name = "QUEUE_POSITION")
})
public sealed interface EventData {

    /** Which event this is the data of. */
    EventType type();

    /** The data of an event about one worker's step. */
    sealed interface OfStep extends EventData {

        /** The worker. */
        String worker();

        /** That worker's step, 1-based. */
        int step();
    }

    /**
     * @param layout how the workers share the cache
     * @param workers the workers' names, in plan order
     */
    record RunQueued(Layout layout, List<String> workers) implements EventData {
        @Override
        public EventType type() {
            return EventType.RUN_QUEUED;
        }
    }

    /**
     * @param gpuWorker the id of the GPU worker that runs the session
     * @param sessionId the session on it
     */
    record RunStarted(String gpuWorker, String sessionId) implements EventData {
        @Override
        public EventType type() {
            return EventType.RUN_STARTED;
        }
    }

    /**
     * The run's GPU worker went away and its session was rebuilt on another one from the log; the new session's events
     * follow in the log with the next session seq.
     *
     * @param fromWorker the GPU worker that went away
     * @param toWorker the GPU worker that goes on
     * @param atLockstep the last lockstep pass recorded before it (the new session replays up to there silently)
     */
    record RunResumed(String fromWorker, String toWorker, long atLockstep) implements EventData {
        @Override
        public EventType type() {
            return EventType.RUN_RESUMED;
        }
    }

    /**
     * @param layout how the workers share the cache
     * @param workers the workers' names, in plan order
     */
    record SessionStarted(Layout layout, List<String> workers) implements EventData {
        @Override
        public EventType type() {
            return EventType.SESSION_STARTED;
        }
    }

    /**
     * @param tokens each initial block's length in tokens, in plan order
     * @param blocks each initial block's token ids and text, in plan order (what a view is rebuilt from)
     */
    record PrefillFinished(Map<String, Integer> tokens, List<BlockContent> blocks) implements EventData {
        @Override
        public EventType type() {
            return EventType.PREFILL_FINISHED;
        }
    }

    /**
     * One block's content.
     *
     * @param name the block
     * @param tokenIds its tokens
     * @param text their text
     */
    record BlockContent(String name, List<Integer> tokenIds, String text) {}

    /**
     * @param pass the lockstep pass, 1-based
     * @param writes what each writing worker appended to its step block, in worker order
     */
    record PassWritten(long pass, List<WorkerWrite> writes) implements EventData {
        @Override
        public EventType type() {
            return EventType.PASS_WRITTEN;
        }
    }

    /**
     * One worker's write in a pass: the token it chose in the pass before (unless it was EOS), the separator of a
     * step that was cut, the next step's prefix and self-check question, in that order.
     *
     * @param worker the worker
     * @param tokenIds the tokens written
     * @param text their text
     */
    record WorkerWrite(String worker, List<Integer> tokenIds, String text) {}

    /**
     * @param prefix the text fed at the step's start, e.g. {@code **Alice [2]:** } (the first step's includes the
     *     worker's opening line)
     */
    record StepStarted(String worker, int step, String prefix) implements OfStep {
        @Override
        public EventType type() {
            return EventType.STEP_STARTED;
        }
    }

    /**
     * @param question the self-check text fed after the step's prefix
     * @param tokens the tokens the worker had generated by then
     */
    record SelfCheckInserted(String worker, int step, String question, int tokens) implements OfStep {
        @Override
        public EventType type() {
            return EventType.SELF_CHECK_INSERTED;
        }
    }

    /**
     * @param tokenIds the token ids generated in this pass
     * @param text their decoded text (a delta of the step's text; empty for an EOS)
     * @param eos whether the token was the model's end of sequence (neither written to the cache nor decoded)
     */
    record Tokens(String worker, int step, List<Integer> tokenIds, String text, boolean eos) implements OfStep {
        @Override
        public EventType type() {
            return EventType.TOKENS;
        }
    }

    /**
     * @param text the whole step: prefix, inserted texts, generated text and (for a cut step) the blank line
     *     appended to close it; for a step that ended by the separator, it ends with exactly one blank line
     * @param tokens the tokens the worker generated in it
     * @param view the worker's view when it chose the step's last token: its blocks in order, with their lengths
     * @param end why it ended: {@code separator}, {@code max_step_tokens}, {@code eos}, {@code budget} or
     *     {@code context}
     * @param selfCheckAnswer the worker's answer to the step's self-check question, from the first word it wrote
     *     after it: {@code yes}, {@code no} or {@code other}; null when the step had no self-check
     */
    record StepFinished(String worker, int step, String text, int tokens, List<BlockExtent> view, String end,
                        String selfCheckAnswer) implements OfStep {
        @Override
        public EventType type() {
            return EventType.STEP_FINISHED;
        }
    }

    /**
     * @param source the block the step was in
     * @param target the history block it moved to
     * @param count the tokens moved: the first {@code count} of the source (the rest, the next step's start written
     *     in the same pass, stays)
     * @param historyLength the history block's length in tokens after the move
     */
    record StepPromoted(String worker, int step, String source, String target, int count, int historyLength)
            implements OfStep {
        @Override
        public EventType type() {
            return EventType.STEP_PROMOTED;
        }
    }

    /** @param tokens the tokens the worker generated in all (its budget) */
    record BudgetExhausted(String worker, int step, int tokens) implements OfStep {
        @Override
        public EventType type() {
            return EventType.BUDGET_EXHAUSTED;
        }
    }

    /**
     * @param input what the finisher reads: the merged text of the run (prompt, finished steps, every unfinished step
     *     with its marker) and the finisher text
     * @param inputTokens its length in tokens
     */
    record FinisherStarted(String input, int inputTokens) implements EventData {
        @Override
        public EventType type() {
            return EventType.FINISHER_STARTED;
        }
    }

    /**
     * @param tokenIds the tokens it generated (greedily)
     * @param text their text
     * @param answer the answer it gave, null when none
     */
    record FinisherFinished(List<Integer> tokenIds, String text, String answer) implements EventData {
        @Override
        public EventType type() {
            return EventType.FINISHER_FINISHED;
        }
    }

    /**
     * @param answer the text inside the run's answer {@code \boxed{}}
     * @param worker who wrote it; null when the finisher gave it
     * @param step the step it was written in; null when the finisher gave it
     */
    record FinalAnswer(String answer, String worker, Integer step) implements EventData {
        @Override
        public EventType type() {
            return EventType.FINAL_ANSWER;
        }
    }

    /**
     * @param reason {@code answer} (a worker finished a step holding one), {@code budget} (the workers spent their
     *     budgets), {@code stopped} (every worker stopped on its own: EOS or the context limit), {@code cancelled} or
     *     {@code error}
     * @param lockstepPasses the lockstep passes the session ran
     * @param tokens the tokens all workers generated
     * @param answer the final answer, null when there is none
     * @param answers every distinct answer written in the run and who gave it
     * @param answersDisagree whether more than one distinct answer was given
     */
    record SessionFinished(String reason, long lockstepPasses, int tokens, String answer, List<AnswerGiven> answers,
                           boolean answersDisagree) implements EventData {
        @Override
        public EventType type() {
            return EventType.SESSION_FINISHED;
        }
    }

    /**
     * @param message what went wrong
     * @param exception the class of the exception behind it
     */
    record Error(String message, String exception) implements EventData {
        @Override
        public EventType type() {
            return EventType.ERROR;
        }
    }

    /** Nothing more to say than that it was asked. */
    record CancelRequested() implements EventData {
        @Override
        public EventType type() {
            return EventType.CANCEL_REQUESTED;
        }
    }

    /**
     * @param status the run's final status
     * @param finishReason as in the run's {@code finish_reason}: {@code answer}, {@code budget}, {@code cancelled}
     *     or {@code error}
     * @param failureReason why it failed, null unless it did
     */
    record RunEnded(RunStatus status, String finishReason, String failureReason) implements EventData {
        @Override
        public EventType type() {
            return EventType.RUN_ENDED;
        }
    }

    /**
     * Streamed to followers of a queued run whenever its place changes; never recorded in the log (it has no id).
     *
     * @param queuePosition 1 = dispatched next; 0 = being handed to a GPU worker now
     */
    record QueuePosition(int queuePosition) implements EventData {
        @Override
        public EventType type() {
            return EventType.QUEUE_POSITION;
        }
    }
}
