package io.hogwild.lockstep;

import static io.hogwild.contracts.event.EventType.BUDGET_EXHAUSTED;
import static io.hogwild.contracts.event.EventType.ERROR;
import static io.hogwild.contracts.event.EventType.FINAL_ANSWER;
import static io.hogwild.contracts.event.EventType.PASS_WRITTEN;
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

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.BudgetExhausted;
import io.hogwild.contracts.event.EventData.FinalAnswer;
import io.hogwild.contracts.event.EventData.FinisherFinished;
import io.hogwild.contracts.event.EventData.FinisherStarted;
import io.hogwild.contracts.event.EventData.PassWritten;
import io.hogwild.contracts.event.EventData.PrefillFinished;
import io.hogwild.contracts.event.EventData.SelfCheckInserted;
import io.hogwild.contracts.event.EventData.SessionFinished;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.event.EventData.Tokens;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.engine.Golden;
import io.hogwild.engine.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The GPU worker's lockstep loop on the real engine (tiny Qwen3 checkpoint) with the platform's plans and scripted
 * token choices: exact event sequences, writes, promotions, stops and answers.
 */
class LockstepLoopTest {

    static final LanguageModel MODEL = Golden.model("qwen3-tiny");
    static final String PROMPT = "Question: what is two plus two?\n";
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

    static String opening(String name) {
        return "**" + name + " [1]:** Hello, " + name + " here. ";
    }

    /** The platform's plan for {@code workers} workers in {@code layout}, with these budgets. */
    static SessionPlan plan(Layout layout, int workers, int budget, int maxStep, int selfCheckEvery,
                            int finisherTokens) {
        RunSettings settings = new RunSettings("p", WorkerNames.first(workers), layout, budget, maxStep, 0, 1, 0, 1,
                selfCheckEvery, finisherTokens, false, false);
        return new PlanBuilder().build("r", "s", PROMPT, settings);
    }

    record Result(SessionRun run, List<SessionEvent> events, long seqAtRelease) {
        List<EventType> types() {
            return events.stream().map(SessionEvent::type).toList();
        }

        List<SessionEvent> eventsOf(Class<? extends EventData> type) {
            return events.stream().filter(e -> type.isInstance(e.data())).toList();
        }

        <T extends EventData> List<T> of(Class<T> type) {
            return eventsOf(type).stream().map(e -> type.cast(e.data())).toList();
        }

        <T extends EventData.OfStep> List<T> of(Class<T> type, String worker) {
            return of(type).stream().filter(e -> e.worker().equals(worker)).toList();
        }

        List<EventData> data() {
            return events.stream().map(SessionEvent::data).toList();
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
        SessionRun run = new SessionRun(plan, validated.sessionId(), 100_000, validated.estimatedCacheBytes(),
                () -> seqAtRelease.set(self[0].events().lastSeq()));
        self[0] = run;
        handle[0] = run;
        new LockstepLoop(validated, MODEL, scripts, run, LockstepMetrics.NONE).run();
        return new Result(run, run.events().snapshot(), seqAtRelease.get());
    }

    @Test
    void theClosingTokenAndTheNextPrefixAreWrittenInOnePassAndOnlyTheFinishedStepIsPromoted() {
        String p2 = "**Alice [2]:** ";
        Result r = run(plan(Layout.SINGLE, 1, 9, 100, 0, 0),
                new ScriptedChooser.Scripts(A).script("Alice", concat(sentence(4), sentence(5))));

        List<EventType> expected = new ArrayList<>(List.of(SESSION_STARTED, PREFILL_FINISHED, STEP_STARTED));
        for (int i = 0; i < 4; i++) {
            expected.addAll(List.of(PASS_WRITTEN, TOKENS));
        }
        expected.add(STEP_FINISHED);
        expected.addAll(List.of(STEP_STARTED, PASS_WRITTEN, TOKENS, STEP_PROMOTED));
        for (int i = 0; i < 4; i++) {
            expected.addAll(List.of(PASS_WRITTEN, TOKENS));
        }
        expected.addAll(List.of(BUDGET_EXHAUSTED, STEP_FINISHED, SESSION_FINISHED));
        assertThat(r.types()).containsExactlyElementsOf(expected);

        StepFinished first = r.of(StepFinished.class).get(0);
        assertThat(first.text()).isEqualTo(opening("Alice") + "aa.\n\n");
        assertThat(first.end()).isEqualTo("separator");
        // pass 5 writes the step's closing token and the next prefix together ...
        PassWritten pass5 = r.of(PassWritten.class).get(4);
        assertThat(pass5.pass()).isEqualTo(5);
        assertThat(pass5.writes()).singleElement().satisfies(w -> {
            assertThat(w.tokenIds()).isEqualTo(concat(List.of(BLANK[BLANK.length - 1]), ids(p2)));
            assertThat(w.text()).isEqualTo(MODEL.tokenizer().decode(new int[] {BLANK[BLANK.length - 1]}) + p2);
        });
        // ... and after it only the finished step moves: the prefix stays in the step block
        int stepTokens = len(opening("Alice")) + 4;
        assertThat(r.of(StepPromoted.class)).containsExactly(
                new StepPromoted("Alice", 1, "step-alice", "history", stepTokens, stepTokens));
        assertThat(r.eventsOf(StepPromoted.class).get(0).lockstep()).isEqualTo(5);
        // the second step ended by the separator as the budget ran out: the run ends, no pass writes its last token
        assertThat(r.of(StepFinished.class).get(1)).extracting(StepFinished::end, StepFinished::tokens)
                .containsExactly("separator", 5);
        assertThat(r.finished()).isEqualTo(new SessionFinished("budget", 9, 9, null, List.of(), false));
        String generated = String.join("", r.of(Tokens.class).stream().map(Tokens::text).toList());
        assertThat(generated).isEqualTo("aa.\n\naaa.\n\n");
        assertThat(r.run().status().state()).isEqualTo(SessionState.FINISHED);
        assertThat(r.run().status().workers().get(0).tokens()).isEqualTo(9);
        assertThat(r.run().status().workers().get(0).state()).isEqualTo("done");
        assertThat(r.seqAtRelease()).isEqualTo(r.last().seq() - 1);
        for (int i = 0; i < r.events().size(); i++) {
            assertThat(r.events().get(i).seq()).isEqualTo(i + 1);
        }
    }

    @Test
    void aRunTakesOneLockstepPassPerGeneratedTokenOfEachWorkerNoMoreAtStepBoundaries() {
        List<Integer> answer = ids("\\boxed{4}");
        List<Integer> alice = concat(sentence(4), sentence(6), sentence(3), answer, BLANK.length == 1
                ? List.of(BLANK[0]) : Arrays.stream(BLANK).boxed().toList());
        List<Integer> bob = concat(sentence(5), sentence(5), sentence(5), sentence(5));
        List<Integer> carol = concat(sentence(3), sentence(3), sentence(3), sentence(3), sentence(3), sentence(3));
        Result r = run(plan(Layout.COMBINED, 3, 1000, 100, 0, 0), new ScriptedChooser.Scripts(A)
                .script("Alice", alice).script("Bob", bob).script("Carol", carol));

        int perWorker = alice.size();
        assertThat(r.of(Tokens.class, "Alice")).hasSize(perWorker);
        assertThat(r.of(Tokens.class, "Bob")).hasSize(perWorker);
        assertThat(r.of(Tokens.class, "Carol")).hasSize(perWorker);
        // 4 steps of Alice, every fifth token one of Bob's, every third one of Carol's: none of them cost a pass
        assertThat(r.of(StepFinished.class)).hasSize(4 + perWorker / 5 + Math.min(6, perWorker / 3));
        assertThat(r.finished().lockstepPasses()).isEqualTo(perWorker);
        assertThat(r.of(PassWritten.class)).hasSize(perWorker);
        // the prompt and headers were prefilled before pass 1, in chunks that are not lockstep passes
        assertThat(r.eventsOf(PrefillFinished.class).get(0).lockstep()).isZero();
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer)
                .containsExactly("answer", "4");
        assertThat(r.of(FinalAnswer.class)).containsExactly(new FinalAnswer("4", "Alice", 4));
    }

    @Test
    void theSelfCheckIsAskedEveryNTokensOfAllWorkersAndItsAnswerIsRecorded() {
        // 2 workers, a check every 8 tokens: after pass 4 they wrote 8; Alice's step 2 (pass 5) gets the question
        List<Integer> alice = concat(sentence(4), ids(" No, I go on."), Arrays.stream(BLANK).boxed().toList(),
                ids(" yes."), Arrays.stream(BLANK).boxed().toList());
        Result r = run(plan(Layout.COMBINED, 2, alice.size(), 100, 8, 0),
                new ScriptedChooser.Scripts(A).script("Alice", alice));

        SelfCheckInserted check = r.of(SelfCheckInserted.class).get(0);
        assertThat(check).isEqualTo(new SelfCheckInserted("Alice", 2, PromptTexts.SELF_CHECK, 4));
        int started = r.events().indexOf(r.eventsOf(StepStarted.class).stream()
                .filter(e -> ((StepStarted) e.data()).step() == 2).findFirst().orElseThrow());
        assertThat(r.events().get(started + 1).type()).isEqualTo(SELF_CHECK_INSERTED);
        List<StepFinished> steps = r.of(StepFinished.class, "Alice");
        assertThat(steps.get(1).text()).isEqualTo("**Alice [2]:** " + PromptTexts.SELF_CHECK + " No, I go on.\n\n");
        assertThat(steps).extracting(StepFinished::selfCheckAnswer).containsExactly(null, "no", "yes");
        assertThat(r.of(SelfCheckInserted.class)).extracting(SelfCheckInserted::worker, SelfCheckInserted::step)
                .startsWith(org.assertj.core.groups.Tuple.tuple("Alice", 2),
                        org.assertj.core.groups.Tuple.tuple("Alice", 3));
    }

    @Test
    void aBoxedAnswerStopsTheRunOnlyAtTheEndOfItsStep() {
        List<Integer> script = concat(ids("So it is \\boxed{4} and"), ids(" more."), Arrays.stream(BLANK).boxed()
                .toList());
        Result r = run(plan(Layout.SINGLE, 1, 100, 100, 0, 0), new ScriptedChooser.Scripts(A).script("Alice", script));

        // every token of the sentence was written: the answer mid-sentence did not end the run
        assertThat(r.of(Tokens.class)).hasSize(script.size());
        assertThat(r.types().subList(r.types().size() - 3, r.types().size()))
                .containsExactly(STEP_FINISHED, FINAL_ANSWER, SESSION_FINISHED);
        assertThat(r.of(FinalAnswer.class)).containsExactly(new FinalAnswer("4", "Alice", 1));
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer,
                SessionFinished::answers).containsExactly("answer", "4", List.of(new AnswerGiven("4",
                List.of("Alice"))));
        assertThat(r.run().status().finalAnswer()).isEqualTo("4");
    }

    @Test
    void eosStopsOnlyItsWorkerAndIsNeverWrittenToTheCache() {
        Result r = run(plan(Layout.COMBINED, 2, 8, 100, 0, 0),
                new ScriptedChooser.Scripts(A).script("Bob", List.of(A, DOT, EOS)));

        assertThat(r.of(Tokens.class, "Bob").get(2)).isEqualTo(new Tokens("Bob", 1, List.of(EOS), "", true));
        assertThat(r.of(PassWritten.class)).allSatisfy(p -> p.writes()
                .forEach(w -> assertThat(w.tokenIds()).doesNotContain(EOS)));
        StepFinished bob = r.of(StepFinished.class, "Bob").get(0);
        assertThat(bob).extracting(StepFinished::text, StepFinished::end, StepFinished::tokens)
                .containsExactly(opening("Bob") + "a.\n\n", "eos", 3);
        // the pass after the EOS writes only Bob's closing blank line, then Bob is done and promoted
        PassWritten pass4 = r.of(PassWritten.class).get(3);
        assertThat(pass4.writes()).filteredOn(w -> w.worker().equals("Bob")).singleElement()
                .satisfies(w -> assertThat(w.text()).isEqualTo("\n\n"));
        assertThat(r.of(StepPromoted.class, "Bob")).singleElement().extracting(StepPromoted::count)
                .isEqualTo(len(opening("Bob")) + 2 + BLANK.length);
        assertThat(r.of(PassWritten.class).get(4).writes()).extracting(EventData.WorkerWrite::worker)
                .containsExactly("Alice");
        // Alice went on to her budget
        assertThat(r.of(Tokens.class, "Alice")).hasSize(8);
        assertThat(r.finished().reason()).isEqualTo("budget");
    }

    @Test
    void aStepCutByMaxStepTokensEndsWithABlankLineInTheHistory() {
        Result r = run(plan(Layout.SINGLE, 1, 7, 3, 0, 0), new ScriptedChooser.Scripts(A));

        assertThat(r.of(StepFinished.class)).extracting(StepFinished::end)
                .containsExactly("max_step_tokens", "max_step_tokens", "budget");
        assertThat(r.of(StepFinished.class)).extracting(StepFinished::tokens).containsExactly(3, 3, 1);
        assertThat(r.of(StepFinished.class).get(0).text()).isEqualTo(opening("Alice") + "aaa\n\n");
        assertThat(r.of(PassWritten.class).get(3).writes().get(0).text()).isEqualTo("a\n\n**Alice [2]:** ");
    }

    @Test
    void aStepCutByTheBudgetThatHoldsAnAnswerEndsTheRunWithIt() {
        List<Integer> alice = concat(sentence(4), ids("I think \\boxed{5}"));
        Result r = run(plan(Layout.COMBINED, 2, alice.size(), 100, 0, 6), new ScriptedChooser.Scripts(A)
                .script("Alice", alice).finisher(ids("4}")));

        assertThat(r.of(StepFinished.class, "Alice").get(1)).extracting(StepFinished::text, StepFinished::end)
                .containsExactly("**Alice [2]:** I think \\boxed{5}\n\n", "budget");
        assertThat(r.of(FinisherStarted.class)).isEmpty();
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer)
                .containsExactly("answer", "5");
    }

    @Test
    void withoutAnAnswerTheFinisherReadsTheMergedTextOutsideTheSharedCache() {
        Result r = run(plan(Layout.COMBINED, 2, 6, 100, 0, 6), new ScriptedChooser.Scripts(A)
                .script("Alice", sentence(4)).finisher(concat(ids("4}"), ids(" and"))));

        FinisherStarted started = r.of(FinisherStarted.class).get(0);
        // every step the budget cut is closed and in the history, as if its last write had been made
        String merged = PROMPT + PromptTexts.HISTORY_HEADER + opening("Alice") + "aa.\n\n" + "**Alice [2]:** aa\n\n"
                + opening("Bob") + "aaaaaa\n\n";
        assertThat(started.input()).isEqualTo(merged + PromptTexts.FINISHER);
        assertThat(started.inputTokens()).isEqualTo(len(merged + PromptTexts.FINISHER));
        // decoding stops as soon as the answer's brace closes
        assertThat(r.of(FinisherFinished.class)).containsExactly(new FinisherFinished(ids("4}"), "4}", "4"));
        assertThat(r.of(FinalAnswer.class)).containsExactly(new FinalAnswer("4", null, null));
        assertThat(r.finished()).extracting(SessionFinished::reason, SessionFinished::answer,
                SessionFinished::answers, SessionFinished::answersDisagree)
                .containsExactly("budget", "4", List.of(new AnswerGiven("4", List.of(AnswerGiven.FINISHER))), false);
    }

    @Test
    void theFinisherDecodesGreedilyAtMostItsTokens() {
        Result r = run(plan(Layout.SINGLE, 1, 3, 100, 0, 5), new ScriptedChooser.Scripts(A));

        FinisherFinished done = r.of(FinisherFinished.class).get(0);
        assertThat(done.tokenIds()).hasSizeLessThanOrEqualTo(5).doesNotContain(EOS);
        Result again = run(plan(Layout.SINGLE, 1, 3, 100, 0, 5), new ScriptedChooser.Scripts(A));
        assertThat(again.of(FinisherFinished.class)).containsExactly(done);
    }

    @Test
    void differentAnswersAreAllRecordedWithWhoGaveThem() {
        Result r = run(plan(Layout.COMBINED, 3, 200, 100, 0, 0), new ScriptedChooser.Scripts(A)
                .script("Alice", concat(sentence(5), ids("So \\boxed{4}."), Arrays.stream(BLANK).boxed().toList()))
                .script("Bob", ids("It is \\boxed{5}, I"))
                .script("Carol", ids("\\boxed{4} as")));

        assertThat(r.finished().answer()).isEqualTo("4");
        assertThat(r.finished().answers()).containsExactly(new AnswerGiven("4", List.of("Alice", "Carol")),
                new AnswerGiven("5", List.of("Bob")));
        assertThat(r.finished().answersDisagree()).isTrue();
    }

    @Test
    void suppressedTokensAreMaskedBeforeTheChoiceAndEosIsNot() {
        int lineStartHash = single("#");
        List<Integer> script = ids("x:\n");
        ScriptedChooser.Scripts scripts = new ScriptedChooser.Scripts(A).script("Alice", script);
        run(plan(Layout.SINGLE, 1, script.size() + 2, 100, 0, 0), scripts);

        List<float[]> seen = scripts.made.get("Alice").seen;
        for (float[] logits : seen) {
            assertThat(logits[1]).as("<|im_start|>").isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(logits[3]).as("<think>").isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(logits[4]).as("</think>").isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(logits[EOS]).as("EOS").isFinite();
        }
        // '#' only where it would start a line: after "x:\n", not after "x"
        assertThat(seen.get(1)[lineStartHash]).isFinite();
        assertThat(seen.get(script.size())[lineStartHash]).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void cancelStopsAtTheNextLockstepPass() {
        SessionRun[] handle = new SessionRun[1];
        Result r = run(plan(Layout.SINGLE, 1, 1000, 1000, 0, 0), new ScriptedChooser.Scripts(A)
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
        Result r = run(plan(Layout.SINGLE, 1, 1000, 1000, 0, 0), new ScriptedChooser.Scripts(A)
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
        assertThat(r.seqAtRelease()).isEqualTo(r.last().seq() - 1);
        assertThat(r.run().status().cacheBytesAllocated()).isZero();
    }

    @Test
    void prefillReportsEveryFixedBlocksTokensAndText() {
        Result r = run(plan(Layout.SINGLE, 1, 1, 100, 0, 0), new ScriptedChooser.Scripts(A));
        PrefillFinished prefill = r.of(PrefillFinished.class).get(0);

        assertThat(prefill.tokens()).containsExactly(entry("prompt", len(PROMPT)),
                entry("history-header", len(PromptTexts.HISTORY_HEADER)),
                entry("own-header", len(PromptTexts.OWN_HEADER)), entry("history", 0), entry("step-alice", 0));
        assertThat(prefill.blocks()).extracting(EventData.BlockContent::name, EventData.BlockContent::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("prompt", PROMPT),
                        org.assertj.core.groups.Tuple.tuple("history-header", PromptTexts.HISTORY_HEADER),
                        org.assertj.core.groups.Tuple.tuple("own-header", PromptTexts.OWN_HEADER));
        assertThat(prefill.blocks().get(0).tokenIds()).isEqualTo(ids(PROMPT));
        assertThat(r.of(BudgetExhausted.class)).hasSize(1);
    }
}
