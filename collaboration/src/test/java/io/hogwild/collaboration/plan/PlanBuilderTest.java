package io.hogwild.collaboration.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.collaboration.prompt.WorkerNames;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlanBuilderTest {

    private final PlanBuilder builder = new PlanBuilder();

    /** Settings for a plan; the values that only reach the policy and sampling are arbitrary here. */
    static RunSettings settings(Layout layout, int workers) {
        return new RunSettings("Find x.", WorkerNames.first(workers), layout, 1024, 512, 0.6, 0.95, 20, 7L, 1024, 16,
                false, true);
    }

    private SessionPlan plan(Layout layout, int workers) {
        return builder.build("run-1", "session-1", "PROMPT", settings(layout, workers));
    }

    private static String roles(SessionPlan plan) {
        return plan.blocks().stream().map(b -> b.name() + ":" + b.role()).collect(Collectors.joining(" "));
    }

    @Test
    void combinedSharesHistoryAndShowsOthersStepsBeforeOwn() {
        SessionPlan plan = plan(Layout.COMBINED, 3);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT history-header:HEADER history:HISTORY "
                + "in-progress-header:HEADER step-alice:WORKER_STEP step-bob:WORKER_STEP step-carol:WORKER_STEP");
        assertThat(plan.blocks().get(0).text()).isEqualTo("PROMPT");
        assertThat(plan.blocks().get(1).text()).isEqualTo(PromptTexts.HISTORY_HEADER);
        assertThat(plan.blocks().get(3).text()).isEqualTo(PromptTexts.IN_PROGRESS_HEADER);
        assertThat(plan.workers()).extracting(WorkerSpec::name).containsExactly("Alice", "Bob", "Carol");
        assertThat(plan.workers().get(0).view()).containsExactly("prompt", "history-header", "history",
                "in-progress-header", "step-bob", "step-carol", "step-alice");
        assertThat(plan.workers().get(1).view()).containsExactly("prompt", "history-header", "history",
                "in-progress-header", "step-alice", "step-carol", "step-bob");
        assertThat(plan.workers().get(2).view()).endsWith("step-alice", "step-bob", "step-carol");
        assertThat(plan.workers()).allSatisfy(w -> {
            assertThat(w.historyBlock()).isEqualTo("history");
            assertThat(w.stepBlock()).isEqualTo(PlanBuilder.stepBlock(w.name()));
        });
        assertThat(plan.layout()).isEqualTo(Layout.COMBINED);
        assertThat(plan.runId()).isEqualTo("run-1");
        assertThat(plan.sessionId()).isEqualTo("session-1");
    }

    @Test
    void interleavedHasOneSharedStreamAndNoPromotion() {
        SessionPlan plan = plan(Layout.INTERLEAVED, 2);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT stream:SHARED_STREAM");
        assertThat(plan.workers()).allSatisfy(w -> {
            assertThat(w.view()).containsExactly("prompt", "stream");
            assertThat(w.historyBlock()).isNull();
        });
    }

    @Test
    void independentSharesNothingButThePrompt() {
        SessionPlan plan = plan(Layout.INDEPENDENT, 2);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT history-alice:HISTORY step-alice:WORKER_STEP "
                + "history-bob:HISTORY step-bob:WORKER_STEP");
        assertThat(plan.workers().get(0).view()).containsExactly("prompt", "history-alice", "step-alice");
        assertThat(plan.workers().get(0).historyBlock()).isEqualTo("history-alice");
        assertThat(plan.workers().get(1).view()).containsExactly("prompt", "history-bob", "step-bob");
        assertThat(plan.workers().get(1).historyBlock()).isEqualTo("history-bob");
    }

    @Test
    void singleHasOneWorkerWhateverWasAskedBeyondIt() {
        SessionPlan plan = plan(Layout.SINGLE, 1);

        assertThat(roles(plan)).isEqualTo("prompt:PROMPT history:HISTORY step-alice:WORKER_STEP");
        assertThat(plan.workers()).singleElement().satisfies(w -> {
            assertThat(w.view()).containsExactly("prompt", "history", "step-alice");
            assertThat(w.historyBlock()).isEqualTo("history");
        });
    }

    @Test
    void everyViewOnlyNamesExistingBlocksAndEndsWithItsOwnStep() {
        for (Layout layout : Layout.values()) {
            SessionPlan plan = plan(layout, layout == Layout.SINGLE ? 1 : 4);
            List<String> names = plan.blocks().stream().map(BlockSpec::name).toList();
            assertThat(names).doesNotHaveDuplicates();
            for (WorkerSpec worker : plan.workers()) {
                assertThat(names).containsAll(worker.view());
                assertThat(worker.view()).doesNotHaveDuplicates();
                if (worker.historyBlock() != null) {
                    assertThat(plan.blocks()).filteredOn(b -> b.name().equals(worker.historyBlock()))
                            .singleElement().extracting(BlockSpec::role).isEqualTo(BlockRole.HISTORY);
                }
            }
        }
    }
}
