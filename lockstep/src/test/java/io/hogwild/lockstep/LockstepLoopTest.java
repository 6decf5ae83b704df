package io.hogwild.lockstep;

import static io.hogwild.contracts.event.EventType.BUDGET_EXHAUSTED;
import static io.hogwild.contracts.event.EventType.ERROR;
import static io.hogwild.contracts.event.EventType.FINAL_ANSWER;
import static io.hogwild.contracts.event.EventType.FINISHER_STARTED;
import static io.hogwild.contracts.event.EventType.PREFILL_FINISHED;
import static io.hogwild.contracts.event.EventType.SELF_CHECK_INSERTED;
import static io.hogwild.contracts.event.EventType.SESSION_FINISHED;
import static io.hogwild.contracts.event.EventType.SESSION_STARTED;
import static io.hogwild.contracts.event.EventType.STEP_FINISHED;
import static io.hogwild.contracts.event.EventType.STEP_PROMOTED;
import static io.hogwild.contracts.event.EventType.STEP_STARTED;
import static io.hogwild.contracts.event.EventType.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.FinisherStarted;
import io.hogwild.contracts.event.EventData.PrefillFinished;
import io.hogwild.contracts.event.EventData.SelfCheckInserted;
import io.hogwild.contracts.event.EventData.SessionFinished;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.CollaborationPolicy;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.engine.Golden;
import io.hogwild.engine.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The collaboration policy on the real engine (tiny Qwen3 checkpoint) with scripted token choices: exact event
 * sequences, promotions and history lengths.
 */
class LockstepLoopTest {

    static final LanguageModel MODEL = Golden.model("qwen3-tiny");
    static final String PREFIX = "**{name} [{step}]:** ";
    static final String PROMPT = "Question: what is two plus two?";
    static final int A = single("a");
    static final int DOT = single(".");
    static final int EOS = 2;
    static final int[] BLANK = MODEL.tokenizer().encode("\n\n");

    static int single(String text) {
        int[] ids = MODEL.tokenizer().encode(text);
        assertThat(ids).as("'%s' is one token", text).hasSize(1);
        return ids[0];
    }

    static int len(String text) {
        return MODEL.tokenizer().encode(text).length;
    }

    static List<Integer> ids(String text) {
        return Arrays.stream(MODEL.tokenizer().encode(text)).boxed().toList();
    }

    /** A step of exactly n generated tokens: "aa…a." then the blank line. */
    static List<Integer> sentence(int n) {
        List<Integer> out = new ArrayList<>(Collections.nCopies(n - 1 - BLANK.length, A));
        out.add(DOT);
        Arrays.stream(BLANK).forEach(out::add);
        assertThat(out).hasSize(n);
        return out;
    }

    @SafeVarargs
    static List<Integer> concat(List<Integer>... parts) {
        List<Integer> out = new ArrayList<>();
        for (List<Integer> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    static CollaborationPolicy policy(int selfCheckEvery, int budget, int maxStep, String finisher, int finisherTokens,
                                      boolean stopOnBoxed) {
        return new CollaborationPolicy(PREFIX, selfCheckEvery, " Am I repeating someone?", budget, maxStep,
                finisher, finisherTokens, stopOnBoxed);
    }

    /** One worker, Alice, whose steps go into "history" (the single layout). */
    static SessionPlan single(CollaborationPolicy policy) {
        return new SessionPlan("s", "r", Layout.SINGLE, List.of(
                new BlockSpec("prompt", BlockRole.PROMPT, PROMPT, null),
                new BlockSpec("history", BlockRole.HISTORY, null, null),
                new BlockSpec("alice", BlockRole.WORKER_STEP, null, null)),
                List.of(new WorkerSpec("Alice", List.of("prompt", "history", "alice"), "history")),
                policy, null);
    }

    /** Alice and Bob in the paper's combined layout: shared history, each sees the other's current step. */
    static SessionPlan combined(CollaborationPolicy policy) {
        return new SessionPlan("s", "r", Layout.COMBINED, List.of(
                new BlockSpec("prompt", BlockRole.PROMPT, PROMPT, null),
                new BlockSpec("history", BlockRole.HISTORY, null, null),
                new BlockSpec("alice", BlockRole.WORKER_STEP, null, null),
                new BlockSpec("bob", BlockRole.WORKER_STEP, null, null)),
                List.of(new WorkerSpec("Alice", List.of("prompt", "history", "bob", "alice"), "history"),
                        new WorkerSpec("Bob", List.of("prompt", "history", "alice", "bob"), "history")),
                policy, null);
    }

    record Result(SessionRun run, List<SessionEvent> events, long seqAtRelease) {
        List<EventType> types() {
            return events.stream().map(SessionEvent::type).toList();
        }

        /** The events whose data is a {@code type}, in order. */
        List<SessionEvent> eventsOf(Class<? extends EventData> type) {
            return events.stream().filter(e -> type.isInstance(e.data())).toList();
        }

        /** The data of the events of one type, in order. */
        <T extends EventData> List<T> of(Class<T> type) {
            return eventsOf(type).stream().map(e -> type.cast(e.data())).toList();
        }

        SessionEvent last() {
            return events.get(events.size() - 1);
        }

        SessionFinished finished() {
            return (SessionFinished) last().data();
        }
    }

    static Result run(SessionPlan plan, ScriptedChooser.Scripts scripts) {
        return run(plan, scripts, new SessionRun[1]);
    }

    static Result run(SessionPlan plan, ScriptedChooser.Scripts scripts, SessionRun[] handle) {
        AtomicLong seqAtRelease = new AtomicLong(-1);
        ValidatedPlan validated = new PlanValidator(MODEL).validate(plan);
        SessionRun[] self = new SessionRun[1];
        SessionRun run = new SessionRun(plan, validated.sessionId(), 10_000, validated.estimatedCacheBytes(),
                () -> seqAtRelease.set(self[0].events().lastSeq()));
        self[0] = run;
        handle[0] = run;
        new LockstepLoop(validated, MODEL, scripts, run, LockstepMetrics.NONE).run();
        return new Result(run, run.events().snapshot(), seqAtRelease.get());
    }

    @Test
    void stepEndsAtBlankLineAfterSentenceAndIsPromotedIntoHistory() {
        int p1 = len("**Alice [1]:** ");
        int p2 = len("**Alice [2]:** ");
        Result r = run(single(policy(0, 9, 100, null, 0, true)),
                new ScriptedChooser.Scripts(A).script("Alice", concat(sentence(4), sentence(5))));

        List<EventType> expected = new ArrayList<>(List.of(SESSION_STARTED, PREFILL_FINISHED, STEP_STARTED));
        expected.addAll(Collections.nCopies(4, TOKENS));
        expected.addAll(List.of(STEP_FINISHED, STEP_PROMOTED, STEP_STARTED));
        expected.addAll(Collections.nCopies(5, TOKENS));
        expected.addAll(List.of(BUDGET_EXHAUSTED, STEP_FINISHED, STEP_PROMOTED, SESSION_FINISHED));
        assertThat(r.types()).containsExactlyElementsOf(expected);

        assertThat(r.of(StepFinished.class).get(0)).isEqualTo(new StepFinished("Alice", 1, "**Alice [1]:** aa.\n\n", 4,
                List.of(new BlockExtent("prompt", len(PROMPT)), new BlockExtent("history", 0),
                        new BlockExtent("alice", p1 + 4)), "separator"));
        assertThat(r.of(StepPromoted.class).get(0)).isEqualTo(new StepPromoted("Alice", 1, "alice", "history", p1 + 4));
        assertThat(r.of(StepStarted.class).get(1)).isEqualTo(new StepStarted("Alice", 2, "**Alice [2]:** "));
        // the second step ended by the budget (no finisher): still finished and promoted
        assertThat(r.of(StepFinished.class).get(1)).extracting(StepFinished::end, StepFinished::tokens)
                .containsExactly("budget", 5);
        assertThat(r.of(StepPromoted.class).get(1).historyLength()).isEqualTo(p1 + 4 + p2 + 5);
        // the text deltas of the TOKENS events add up to the generated text
        String generated = String.join("", r.of(Tokens.class).stream().map(Tokens::text).toList());
        assertThat(generated).isEqualTo("aa.\n\naaa.\n\n");
        assertThat(r.finished()).isEqualTo(new SessionFinished("budget", r.last().lockstep(), 9, null));
        assertThat(r.run().status().state()).isEqualTo(SessionState.FINISHED);
        assertThat(r.run().status().workers().get(0).tokens()).isEqualTo(9);
        assertThat(r.run().status().workers().get(0).state()).isEqualTo("done");
        // the room was released before SESSION_FINISHED was published
        assertThat(r.seqAtRelease()).isEqualTo(r.last().seq() - 1);
        // seqs run 1, 2, 3, ... and the lockstep counter only grows
        for (int i = 0; i < r.events().size(); i++) {
            assertThat(r.events().get(i).seq()).isEqualTo(i + 1);
        }
        assertThat(r.eventsOf(Tokens.class).stream().map(SessionEvent::lockstep).toList()).isSorted();
    }

    @Test
    void selfCheckIsInsertedAfterThePrefixOfTheFirstStepAfterEachMultiple() {
        // steps of 6, 2, 3, 4 tokens with a self-check every 5: due at 5 (step 2 starts at 6) and 10 (step 4 at 11)
        Result r = run(single(policy(5, 15, 100, null, 0, true)), new ScriptedChooser.Scripts(A)
                .script("Alice", concat(sentence(6), sentence(2), sentence(3), sentence(4))));

        assertThat(r.of(SelfCheckInserted.class)).containsExactly(
                new SelfCheckInserted("Alice", 2, " Am I repeating someone?", 6),
                new SelfCheckInserted("Alice", 4, " Am I repeating someone?", 11));
        int stepStarted2 = r.events().indexOf(r.eventsOf(StepStarted.class).get(1));
        assertThat(r.events().get(stepStarted2 + 1).type()).isEqualTo(SELF_CHECK_INSERTED);
        assertThat(r.of(StepFinished.class).get(1).text()).isEqualTo("**Alice [2]:**  Am I repeating someone?.\n\n");
        int p = len("**Alice [1]:** ");
        int check = len(" Am I repeating someone?");
        assertThat(r.of(StepPromoted.class).get(1).historyLength()).isEqualTo(p + 6 + p + check + 2);
        assertThat(r.of(StepFinished.class)).extracting(StepFinished::tokens).containsExactly(6, 2, 3, 4);
    }

    @Test
    void boxedAnswerEndsTheSession() {
        Result r = run(single(policy(0, 100, 100, null, 0, true)), new ScriptedChooser.Scripts(A)
                .script("Alice", concat(ids("So it is \\boxed{4}"), ids(" and more."))));

        assertThat(r.types().subList(r.types().size() - 2, r.types().size()))
                .containsExactly(FINAL_ANSWER, SESSION_FINISHED);
        assertThat(r.of(FinalAnswer.class)).containsExactly(new FinalAnswer("Alice", 1, "4"));
        assertThat(r.of(Tokens.class)).hasSize(ids("So it is \\boxed{4}").size());
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer)
                .containsExactly("answer", "4");
        assertThat(r.run().status().finalAnswer()).isEqualTo("4");
        assertThat(r.run().status().finishReason()).isEqualTo("answer");
    }

    @Test
    void withoutStopOnBoxedTheAnswerIsKeptUntilTheBudgetEnds() {
        List<Integer> script = ids("So it is \\boxed{4}.");
        Result r = run(single(policy(0, script.size() + 3, 100, null, 0, false)),
                new ScriptedChooser.Scripts(A).script("Alice", script));

        assertThat(r.of(Tokens.class)).hasSize(script.size() + 3);
        assertThat(r.types().subList(r.types().size() - 2, r.types().size()))
                .containsExactly(FINAL_ANSWER, SESSION_FINISHED);
        // the answer event names the step the answer was written in
        assertThat(r.of(FinalAnswer.class)).containsExactly(new FinalAnswer("Alice", 1, "4"));
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer)
                .containsExactly("budget", "4");
    }

    @Test
    void budgetThenFinisherWithGreedyTokensAndItsAnswer() {
        String finisher = "\nFinal: \\boxed{";
        Result r = run(single(policy(0, 3, 100, finisher, 5, true)), new ScriptedChooser.Scripts(A)
                .script("Alice", List.of(A, A, A, single("4"), single("2"), single("}"))));

        List<EventType> expected = new ArrayList<>(List.of(SESSION_STARTED, PREFILL_FINISHED, STEP_STARTED));
        expected.addAll(Collections.nCopies(3, TOKENS));
        expected.addAll(List.of(BUDGET_EXHAUSTED, FINISHER_STARTED));
        expected.addAll(Collections.nCopies(3, TOKENS));
        expected.addAll(List.of(STEP_FINISHED, STEP_PROMOTED, FINAL_ANSWER, SESSION_FINISHED));
        assertThat(r.types()).containsExactlyElementsOf(expected);
        assertThat(r.of(FinisherStarted.class)).containsExactly(new FinisherStarted("Alice", 1, finisher));
        assertThat(r.of(StepFinished.class).get(0)).extracting(StepFinished::text, StepFinished::end)
                .containsExactly("**Alice [1]:** aaa" + finisher + "42}", "finisher");
        int p = len("**Alice [1]:** ");
        assertThat(r.of(StepPromoted.class).get(0).historyLength()).isEqualTo(p + 3 + len(finisher) + 3);
        assertThat(r.of(FinalAnswer.class)).extracting(FinalAnswer::answer).containsExactly("42");
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer)
                .containsExactly("budget", "42");
        // finisher tokens are outside the budget
        assertThat(r.run().status().workers().get(0).tokens()).isEqualTo(3);
    }

    @Test
    void finisherTokensAreChosenGreedily() {
        ScriptedChooser.Scripts scripts = new ScriptedChooser.Scripts(A).script("Alice", List.of(A, A));
        Result r = run(single(policy(0, 2, 100, " Answer: \\boxed{", 2, true)), scripts);
        assertThat(scripts.made.get("Alice").greedyFlags()).containsExactly(false, false, true, true);
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer)
                .containsExactly("budget", null);
    }

    @Test
    void eosEndsTheStepWithoutEnteringTheCacheAndDoesNotStopTheSession() {
        Result r = run(single(policy(0, 4, 100, null, 0, true)),
                new ScriptedChooser.Scripts(A).script("Alice", List.of(A, EOS, A, A)));

        assertThat(r.of(Tokens.class).get(1)).isEqualTo(new Tokens("Alice", 1, List.of(EOS), "", true));
        assertThat(r.of(Tokens.class)).filteredOn(Tokens::eos).hasSize(1);
        assertThat(r.of(StepFinished.class).get(0)).extracting(StepFinished::end, StepFinished::tokens)
                .containsExactly("eos", 2);
        int p = len("**Alice [1]:** ");
        assertThat(r.of(StepPromoted.class).get(0).historyLength()).isEqualTo(p + 1);
        assertThat(r.of(StepStarted.class)).hasSize(2);
        assertThat(r.finished().reason()).isEqualTo("budget");
    }

    @Test
    void longStepEndsAtMaxStepTokens() {
        Result r = run(single(policy(0, 7, 3, null, 0, true)), new ScriptedChooser.Scripts(A));
        assertThat(r.of(StepFinished.class)).extracting(StepFinished::end)
                .containsExactly("max_step_tokens", "max_step_tokens", "budget");
        assertThat(r.of(StepFinished.class)).extracting(StepFinished::tokens).containsExactly(3, 3, 1);
    }

    @Test
    void combinedLayoutPromotesEachWorkersStepsIntoTheSharedHistory() {
        int pa = len("**Alice [1]:** ");
        int pb = len("**Bob [1]:** ");
        Result r = run(combined(policy(0, 6, 100, null, 0, true)), new ScriptedChooser.Scripts(A)
                .script("Alice", sentence(3)).script("Bob", sentence(4)));

        List<StepPromoted> promoted = r.of(StepPromoted.class);
        assertThat(promoted).extracting(StepPromoted::worker, StepPromoted::historyLength)
                .startsWith(tuple("Alice", pa + 3), tuple("Bob", pa + 3 + pb + 4));
        // Alice's 3rd token is written in lockstep 4, when Bob's step holds his prefix and 3 tokens
        SessionEvent aliceEnd = r.eventsOf(StepFinished.class).get(0);
        assertThat(aliceEnd.lockstep()).isEqualTo(4);
        assertThat((StepFinished) aliceEnd.data()).extracting(StepFinished::worker, StepFinished::view)
                .containsExactly("Alice", List.of(new BlockExtent("prompt", len(PROMPT)), new BlockExtent("history", 0),
                        new BlockExtent("bob", pb + 3), new BlockExtent("alice", pa + 3)));
        SessionEvent bobEnd = r.eventsOf(StepFinished.class).get(1);
        assertThat(((StepFinished) bobEnd.data()).worker()).isEqualTo("Bob");
        assertThat(bobEnd.lockstep()).isEqualTo(5);
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::tokens)
                .containsExactly("budget", 12);
        assertThat(r.run().status().workers()).extracting(w -> w.state()).containsOnly("done");
    }

    @Test
    void interleavedLayoutWritesOneSharedStreamAndNeverPromotes() {
        SessionPlan plan = new SessionPlan("s", "r", Layout.INTERLEAVED, List.of(
                new BlockSpec("prompt", BlockRole.PROMPT, PROMPT, null),
                new BlockSpec("stream", BlockRole.SHARED_STREAM, null, null)),
                List.of(new WorkerSpec("Alice", List.of("prompt", "stream"), null),
                        new WorkerSpec("Bob", List.of("prompt", "stream"), null)),
                policy(0, 5, 100, null, 0, true), null);
        Result r = run(plan, new ScriptedChooser.Scripts(A).script("Alice", sentence(3)));

        assertThat(r.of(StepPromoted.class)).isEmpty();
        StepFinished aliceEnd = r.of(StepFinished.class).get(0);
        assertThat(aliceEnd.end()).isEqualTo("separator");
        // both workers' prefixes and tokens went to the one stream: at lockstep 4 that is 2 prefixes + 3 + 3 tokens
        int pa = len("**Alice [1]:** ");
        int pb = len("**Bob [1]:** ");
        assertThat(aliceEnd.view()).containsExactly(new BlockExtent("prompt", len(PROMPT)),
                new BlockExtent("stream", pa + pb + 6));
        assertThat(r.of(StepStarted.class)).extracting(StepStarted::worker).contains("Alice", "Bob");
        assertThat(r.finished().reason()).isEqualTo("budget");
    }

    @Test
    void cancelStopsAtTheNextLockstepStep() {
        SessionRun[] handle = new SessionRun[1];
        Result r = run(single(policy(0, 1000, 1000, null, 0, true)), new ScriptedChooser.Scripts(A)
                .hook("Alice", n -> {
                    if (n == 5) {
                        handle[0].cancel();
                    }
                }), handle);

        assertThat(r.of(Tokens.class)).hasSize(5);
        assertThat(r.types().subList(r.types().size() - 2, r.types().size()))
                .containsExactly(TOKENS, SESSION_FINISHED);
        assertThat(r.finished().reason()).isEqualTo("cancelled");
        assertThat(r.run().state()).isEqualTo(SessionState.CANCELLED);
        assertThat(r.seqAtRelease()).isEqualTo(r.last().seq() - 1);
    }

    @Test
    void anErrorMidRunEmitsErrorThenFinishesAndFreesTheRoom() {
        Result r = run(single(policy(0, 1000, 1000, null, 0, true)), new ScriptedChooser.Scripts(A)
                .hook("Alice", n -> {
                    if (n == 3) {
                        throw new IllegalStateException("scripted failure");
                    }
                }));

        assertThat(r.of(Tokens.class)).hasSize(2);
        assertThat(r.types().subList(r.types().size() - 2, r.types().size()))
                .containsExactly(ERROR, SESSION_FINISHED);
        assertThat(r.of(EventData.Error.class))
                .containsExactly(new EventData.Error("scripted failure", IllegalStateException.class.getName()));
        assertThat(r.finished().reason()).isEqualTo("error");
        assertThat(r.run().state()).isEqualTo(SessionState.FAILED);
        assertThat(r.run().status().finishReason()).isEqualTo("error");
        assertThat(r.seqAtRelease()).isEqualTo(r.last().seq() - 1);
        assertThat(r.run().status().cacheBytesAllocated()).isZero();
    }

    @Test
    void prefillUsesEachBlocksOwnPositionsAndReportsTokensPerBlock() {
        Result r = run(single(policy(0, 1, 100, null, 0, true)), new ScriptedChooser.Scripts(A));
        assertThat(r.of(PrefillFinished.class).get(0).tokens())
                .containsExactly(entry("prompt", len(PROMPT)), entry("history", 0), entry("alice", 0));
    }
}
