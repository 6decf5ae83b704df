package io.hogwild.collaboration.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventData.BlockContent;
import io.hogwild.contracts.event.EventData.BudgetExhausted;
import io.hogwild.contracts.event.EventData.PassWritten;
import io.hogwild.contracts.event.EventData.SelfCheckInserted;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventData.StepPromoted;
import io.hogwild.contracts.event.EventData.StepStarted;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The policy on its own, with one token per character (a token's id is its character) so every write and every
 * promotion count can be spelled out.
 */
class LockstepPolicyTest {

    static final int EOS = 0;
    static final LockstepPolicy.Encoder CHARS = text -> text.chars().toArray();

    record Run(LockstepPolicy policy, List<EventData> events, List<LockstepPolicy.Pass> passes) {
        <T extends EventData> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    static SessionPlan plan(Layout layout, int workers, int budget, int maxStep, int selfCheckEvery) {
        RunSettings settings = new RunSettings("p", WorkerNames.first(workers), layout, budget, maxStep, 0, 1, 0, 1,
                selfCheckEvery, 8, false, false);
        return new PlanBuilder().build("r", "s", "P\n", settings);
    }

    /** Each worker writes its script, one character per pass ('\0' is EOS), then 'z' for ever. */
    static Run run(SessionPlan plan, Map<String, String> scripts, int contextLimit) {
        List<BlockContent> prefilled = new ArrayList<>();
        for (BlockSpec b : plan.blocks()) {
            if (b.text() != null) {
                prefilled.add(new BlockContent(b.name(), CHARS.encode(b.text()).length == 0 ? List.of()
                        : b.text().chars().boxed().toList(), b.text()));
            }
        }
        LockstepPolicy policy = new LockstepPolicy(plan, prefilled, TokenHygiene.none(Set.of(EOS)), CHARS,
                contextLimit);
        List<EventData> events = new ArrayList<>();
        List<LockstepPolicy.Pass> passes = new ArrayList<>();
        Map<String, int[]> at = new java.util.HashMap<>();
        while (true) {
            var pass = policy.nextPass();
            if (pass.isEmpty()) {
                break;
            }
            passes.add(pass.get());
            events.addAll(pass.get().events());
            for (String worker : pass.get().choosers()) {
                String script = scripts.getOrDefault(worker, "");
                int i = at.computeIfAbsent(worker, w -> new int[1])[0]++;
                char c = i < script.length() ? script.charAt(i) : 'z';
                events.addAll(policy.accept(worker, c, String.valueOf(c)));
            }
            policy.takePromotions().forEach(p -> events.add(p.event()));
        }
        return new Run(policy, events, passes);
    }

    static String write(LockstepPolicy.Pass pass, String worker) {
        return pass.writes().stream().filter(w -> w.worker().equals(worker)).map(LockstepPolicy.Write::text)
                .findFirst().orElse(null);
    }

    @Test
    void theClosingTokenAndTheNextPrefixGoOutInOnePassAndOnlyTheFinishedStepIsPromoted() {
        SessionPlan plan = plan(Layout.COMBINED, 2, 100, 50, 0);
        Run r = run(plan, Map.of("Alice", "A1.\n\nA2.\n\n\\boxed{7}\n\n", "Bob", "B1.\n\nB"), 10_000);

        String open = "**Alice [1]:** Hello, Alice here. ";
        assertThat(write(r.passes().get(0), "Alice")).isEqualTo(open);
        assertThat(write(r.passes().get(1), "Alice")).isEqualTo("A");
        // pass 6 writes the step's last newline and the next prefix together
        assertThat(write(r.passes().get(5), "Alice")).isEqualTo("\n**Alice [2]:** ");
        StepPromoted first = r.of(StepPromoted.class).get(0);
        assertThat(first).isEqualTo(new StepPromoted("Alice", 1, "step-alice", "history",
                (open + "A1.\n\n").length(), (open + "A1.\n\n").length()));
        assertThat(r.of(StepFinished.class).get(0)).extracting(StepFinished::text, StepFinished::end)
                .containsExactly(open + "A1.\n\n", "separator");
        // no pass is spent on a boundary: one pass per generated token of each worker
        String alice = "A1.\n\nA2.\n\n\\boxed{7}\n\n";
        assertThat(r.policy().passes()).isEqualTo(alice.length());
        assertThat(r.policy().tokens()).isEqualTo(2 * alice.length());
        LockstepPolicy.Outcome outcome = r.policy().finish();
        assertThat(outcome).extracting(LockstepPolicy.Outcome::reason, LockstepPolicy.Outcome::answer,
                LockstepPolicy.Outcome::answerWorker, LockstepPolicy.Outcome::answerStep)
                .containsExactly("answer", "7", "Alice", 3);
        // the ledger follows the cache: history = promoted steps, the step blocks = what is left
        assertThat(r.policy().ledger().text("history")).isEqualTo(open + "A1.\n\n" + "**Bob [1]:** Hello, Bob here. "
                + "B1.\n\n" + "**Alice [2]:** A2.\n\n");
    }

    @Test
    void aCutStepIsClosedWithABlankLineAndEosStopsOnlyItsWorker() {
        SessionPlan plan = plan(Layout.COMBINED, 2, 40, 4, 0);
        Run r = run(plan, Map.of("Alice", "abcdef", "Bob", "xy\0"), 10_000);

        List<StepFinished> bob = r.of(StepFinished.class).stream().filter(f -> f.worker().equals("Bob")).toList();
        assertThat(bob).hasSize(1);
        assertThat(bob.get(0)).extracting(StepFinished::text, StepFinished::end, StepFinished::tokens)
                .containsExactly("**Bob [1]:** Hello, Bob here. xy\n\n", "eos", 3);
        // EOS is not written: the pass after it writes only the blank line; then Bob is done
        PassWritten pass4 = r.of(PassWritten.class).get(3);
        assertThat(pass4.writes()).filteredOn(w -> w.worker().equals("Bob")).singleElement()
                .extracting(EventData.WorkerWrite::text).isEqualTo("\n\n");
        assertThat(r.of(PassWritten.class).get(4).writes()).extracting(EventData.WorkerWrite::worker)
                .containsExactly("Alice");
        List<StepFinished> alice = r.of(StepFinished.class).stream().filter(f -> f.worker().equals("Alice")).toList();
        assertThat(alice.get(0)).extracting(StepFinished::text, StepFinished::end)
                .containsExactly("**Alice [1]:** Hello, Alice here. abcd\n\n", "max_step_tokens");
        assertThat(r.of(BudgetExhausted.class)).extracting(BudgetExhausted::worker).containsExactly("Alice");
        LockstepPolicy.Outcome outcome = r.policy().finish();
        assertThat(outcome.reason()).isEqualTo("budget");
        assertThat(outcome.answer()).isNull();
        // every step, however it was cut, is in the merged history ending in one blank line; nothing is unfinished
        assertThat(outcome.mergedText()).startsWith("P\n" + PromptTexts.HISTORY_HEADER).doesNotContain("\n\n\n")
                .doesNotContain(PromptTexts.UNFINISHED_HEADER).endsWith("zzzz\n\n");
    }

    @Test
    void theSelfCheckIsCountedOverAllWorkersAndItsAnswerIsRecorded() {
        SessionPlan plan = plan(Layout.COMBINED, 2, 100, 50, 6);
        // after 3 passes both workers generated 6 tokens: the next step to start (Alice's) gets the question
        Run r = run(plan, Map.of("Alice", "ab.\n\nNo, go on.\n\n", "Bob", "cdefghijklmnop"), 10_000);

        assertThat(r.of(SelfCheckInserted.class).get(0)).isEqualTo(
                new SelfCheckInserted("Alice", 2, PromptTexts.SELF_CHECK, 5));
        // the next one goes to whoever starts a step once both together wrote 6 more tokens
        assertThat(r.of(SelfCheckInserted.class).get(1)).extracting(SelfCheckInserted::worker,
                SelfCheckInserted::step).containsExactly("Alice", 3);
        assertThat(r.of(StepStarted.class).get(2)).isEqualTo(new StepStarted("Alice", 2, "**Alice [2]:** "));
        StepFinished second = r.of(StepFinished.class).stream().filter(f -> f.step() == 2).findFirst().orElseThrow();
        assertThat(second.text()).isEqualTo("**Alice [2]:** " + PromptTexts.SELF_CHECK + "No, go on.\n\n");
        assertThat(second.selfCheckAnswer()).isEqualTo("no");
        assertThat(r.of(StepFinished.class).get(0).selfCheckAnswer()).isNull();
    }

    @Test
    void aWorkerWhoseViewWouldOverflowTheContextStopsAndItsStepIsClosed() {
        SessionPlan plan = plan(Layout.SINGLE, 1, 500, 500, 0);
        int prompt = plan.blocks().stream().filter(b -> b.text() != null).mapToInt(b -> b.text().length()).sum();
        String open = "**Alice [1]:** Hello, Alice here. ";
        Run r = run(plan, Map.of("Alice", "abcdefghijklmnop"), prompt + open.length() + 6);

        assertThat(r.of(StepFinished.class)).singleElement().satisfies(f -> {
            assertThat(f.end()).isEqualTo("context");
            assertThat(f.text()).isEqualTo(open + "abcd\n\n");
        });
        // it stopped early enough to close its step: the blank line is in the cache, which never overflowed
        assertThat(r.policy().ledger().text("history")).isEqualTo(open + "abcd\n\n");
        assertThat(r.policy().ledger().viewLength("Alice")).isLessThanOrEqualTo(prompt + open.length() + 6);
        assertThat(r.policy().finish().reason()).isEqualTo("stopped");
    }

    @Test
    void everyDistinctAnswerIsRecordedWithWhoGaveItAndDisagreementIsVisible() {
        SessionPlan plan = plan(Layout.COMBINED, 3, 100, 50, 0);
        Run r = run(plan, Map.of("Alice", "x \\boxed{4}.\n\n", "Bob", "y \\boxed{5} and", "Carol", "\\boxed{ 4}"),
                10_000);

        LockstepPolicy.Outcome outcome = r.policy().finish();
        assertThat(outcome.answer()).isEqualTo("4");
        assertThat(outcome.answers()).containsExactly(new AnswerGiven("4", List.of("Alice", "Carol")),
                new AnswerGiven("5", List.of("Bob")));
        assertThat(Answers.disagree(outcome.answers())).isTrue();
        assertThat(Answers.withFinisher(outcome.answers(), "5")).contains(
                new AnswerGiven("5", List.of("Bob", AnswerGiven.FINISHER)));
        // the unfinished steps are in the merged text, each with its marker
        // the run stopped when Alice finished her step; the others' unfinished steps are in the merged text, each
        // with its marker, up to the token each chose in that last pass
        assertThat(outcome.mergedText()).contains("**Bob [1]:** Hello, Bob here. y \\boxed{5} an"
                + PromptTexts.UNFINISHED_MARKER + "**Carol [1]:** Hello, Carol here. \\boxed{ 4}zzzz"
                + PromptTexts.UNFINISHED_MARKER);
    }

    @Test
    void inTheContiguousLayoutNothingIsPromotedAndEveryBlockIsUnfinishedForTheFinisher() {
        SessionPlan plan = plan(Layout.CONTIGUOUS, 2, 12, 50, 0);
        Run r = run(plan, Map.of("Alice", "a.\n\nb.\n\nc", "Bob", "d.\n\ne"), 10_000);

        assertThat(r.of(StepPromoted.class)).isEmpty();
        assertThat(r.policy().ledger().text("step-alice")).isEqualTo("**Alice [1]:** Hello, Alice here. a.\n\n"
                + "**Alice [2]:** b.\n\n**Alice [3]:** czz");
        String merged = r.policy().finish().mergedText();
        assertThat(merged).isEqualTo("P\n" + PromptTexts.UNFINISHED_HEADER
                + "**Alice [1]:** Hello, Alice here. a.\n\n**Alice [2]:** b.\n\n**Alice [3]:** czzz\n\n"
                + PromptTexts.UNFINISHED_MARKER
                + "**Bob [1]:** Hello, Bob here. d.\n\n**Bob [2]:** ezzzzzzz\n\n" + PromptTexts.UNFINISHED_MARKER);
    }
}
