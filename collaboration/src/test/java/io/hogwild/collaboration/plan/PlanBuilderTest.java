package io.hogwild.collaboration.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PlanBuilderTest {

    private final PlanBuilder builder = new PlanBuilder();

    /** Settings for a plan; the values that only reach the policy and sampling are arbitrary here. */
    static RunSettings settings(Layout layout, int workers) {
        return new RunSettings("Find x.", WorkerNames.first(workers), layout, 1024, 512, 0.6, 0.95, 20, 7L, 1024, 16,
                false, true);
    }

    private SessionPlan plan(Layout layout, int workers) {
        return builder.build("run-1", "session-1", "PROMPT\n", settings(layout, workers));
    }

    private static String roles(SessionPlan plan) {
        return plan.blocks().stream().map(b -> b.name() + ":" + b.role()).collect(Collectors.joining(" "));
    }

    private static String text(SessionPlan plan, String block) {
        return plan.blocks().stream().filter(b -> b.name().equals(block)).findFirst().orElseThrow().text();
    }

    @Test
    void combinedSharesTheHistoryAndShowsEachOthersStepWithItsMarkerBeforeTheOwnStep() {
        SessionPlan plan = plan(Layout.COMBINED, 3);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT history-header:HEADER others-header:HEADER "
                + "marker-alice:UNFINISHED_MARKER marker-bob:UNFINISHED_MARKER marker-carol:UNFINISHED_MARKER "
                + "own-header:HEADER history:HISTORY step-alice:WORKER_STEP step-bob:WORKER_STEP "
                + "step-carol:WORKER_STEP");
        assertThat(text(plan, "prompt")).isEqualTo("PROMPT\n");
        assertThat(text(plan, "history-header")).isEqualTo(PromptTexts.HISTORY_HEADER);
        assertThat(text(plan, "others-header")).isEqualTo(PromptTexts.OTHERS_HEADER);
        assertThat(text(plan, "marker-bob")).isEqualTo(PromptTexts.UNFINISHED_MARKER);
        assertThat(text(plan, "own-header")).isEqualTo(PromptTexts.OWN_HEADER);
        assertThat(plan.workers()).extracting(WorkerSpec::name).containsExactly("Alice", "Bob", "Carol");
        assertThat(plan.workers().get(0).view()).containsExactly("prompt", "history-header", "history",
                "others-header", "step-bob", "marker-bob", "step-carol", "marker-carol", "own-header", "step-alice");
        assertThat(plan.workers().get(1).view()).containsExactly("prompt", "history-header", "history",
                "others-header", "step-alice", "marker-alice", "step-carol", "marker-carol", "own-header",
                "step-bob");
        assertThat(plan.workers()).allSatisfy(w -> {
            assertThat(w.historyBlock()).isEqualTo("history");
            assertThat(w.stepBlock()).isEqualTo(PlanBuilder.stepBlock(w.name()));
        });
        assertThat(plan.layout()).isEqualTo(Layout.COMBINED);
        assertThat(plan.runId()).isEqualTo("run-1");
        assertThat(plan.sessionId()).isEqualTo("session-1");
    }

    @Test
    void interleavedSharesOnlyFinishedStepsThroughTheHistory() {
        SessionPlan plan = plan(Layout.INTERLEAVED, 2);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT history-header:HEADER own-header:HEADER history:HISTORY "
                + "step-alice:WORKER_STEP step-bob:WORKER_STEP");
        assertThat(plan.workers()).allSatisfy(w -> {
            assertThat(w.view()).containsExactly("prompt", "history-header", "history", "own-header", w.stepBlock());
            assertThat(w.historyBlock()).isEqualTo("history");
        });
    }

    @Test
    void contiguousShowsEveryOthersWholeBlockLiveAndNeverPromotes() {
        SessionPlan plan = plan(Layout.CONTIGUOUS, 2);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT others-header:HEADER marker-alice:UNFINISHED_MARKER "
                + "marker-bob:UNFINISHED_MARKER own-header:HEADER step-alice:WORKER_STEP step-bob:WORKER_STEP");
        assertThat(text(plan, "others-header")).isEqualTo(PromptTexts.CONTIGUOUS_OTHERS_HEADER);
        assertThat(text(plan, "own-header")).isEqualTo(PromptTexts.CONTIGUOUS_OWN_HEADER);
        assertThat(plan.workers().get(0).view()).containsExactly("prompt", "others-header", "step-bob",
                "marker-bob", "own-header", "step-alice");
        assertThat(plan.workers()).allSatisfy(w -> assertThat(w.historyBlock()).isNull());
    }

    @Test
    void independentSharesNothingButThePrompt() {
        SessionPlan plan = plan(Layout.INDEPENDENT, 2);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT history-header:HEADER own-header:HEADER "
                + "history-alice:HISTORY history-bob:HISTORY step-alice:WORKER_STEP step-bob:WORKER_STEP");
        assertThat(plan.workers().get(0).view()).containsExactly("prompt", "history-header", "history-alice",
                "own-header", "step-alice");
        assertThat(plan.workers().get(0).historyBlock()).isEqualTo("history-alice");
        assertThat(plan.workers().get(1).view()).containsExactly("prompt", "history-header", "history-bob",
                "own-header", "step-bob");
    }

    @ParameterizedTest
    @EnumSource(value = Layout.class, names = {"SINGLE", "COMBINED", "INTERLEAVED", "INDEPENDENT"})
    void oneWorkerSeesThePromptItsFinishedStepsAndItsStepWhateverTheLayout(Layout layout) {
        SessionPlan plan = plan(layout, 1);

        assertThat(plan.workers()).singleElement().satisfies(w -> assertThat(w.view()).containsExactly("prompt",
                "history-header", w.historyBlock(), "own-header", "step-alice"));
    }

    @Test
    void everyLayoutFromOneToEightWorkersNamesOnlyItsBlocksOnceAndEndsEachViewWithTheOwnStep() {
        for (Layout layout : Layout.values()) {
            for (int n = 1; n <= (layout == Layout.SINGLE ? 1 : 8); n++) {
                SessionPlan plan = plan(layout, n);
                List<String> names = plan.blocks().stream().map(BlockSpec::name).toList();
                assertThat(names).doesNotHaveDuplicates();
                for (WorkerSpec worker : plan.workers()) {
                    assertThat(names).containsAll(worker.view());
                    assertThat(worker.view()).doesNotHaveDuplicates();
                    assertThat(worker.view().get(worker.view().size() - 2)).isEqualTo(PlanBuilder.OWN_HEADER);
                    if (worker.historyBlock() != null) {
                        assertThat(plan.blocks()).filteredOn(b -> b.name().equals(worker.historyBlock()))
                                .singleElement().extracting(BlockSpec::role).isEqualTo(BlockRole.HISTORY);
                    }
                }
                // every block a view reads is read by someone; no fixed text is wasted
                assertThat(names).allMatch(b -> plan.workers().stream().anyMatch(w -> w.view().contains(b)));
            }
        }
    }

    @Test
    void fixedTextsNeverStartWithANewlineAndEndWithExactlyOneBlankLine() {
        for (String text : List.of(PromptTexts.HISTORY_HEADER, PromptTexts.OTHERS_HEADER, PromptTexts.OWN_HEADER,
                PromptTexts.CONTIGUOUS_OTHERS_HEADER, PromptTexts.CONTIGUOUS_OWN_HEADER, PromptTexts.UNFINISHED_MARKER,
                PromptTexts.UNFINISHED_HEADER)) {
            assertThat(text).doesNotStartWith("\n").endsWith("\n\n").doesNotEndWith("\n\n\n");
            assertThat(text.chars().allMatch(c -> c < 128)).as("ASCII: %s", text).isTrue();
        }
        assertThat(PromptTexts.SELF_CHECK).contains("(yes/no)").doesNotContain("\n");
        assertThat(PromptTexts.FINISHER).doesNotStartWith("\n").endsWith("\\boxed{");
    }
}
