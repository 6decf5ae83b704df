package io.hogwild.orchestrator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import io.hogwild.orchestrator.config.OrchestratorProperties;
import io.hogwild.orchestrator.prompt.PromptTexts;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;

class PlanBuilderTest {

    private final PlanBuilder builder = new PlanBuilder();

    /** The defaults exactly as Spring binds them, so the test also pins the documented defaults. */
    static OrchestratorProperties.Defaults defaults() {
        MockEnvironment env = new MockEnvironment();
        return new Binder(ConfigurationPropertySources.get(env))
                .bindOrCreate("hogwild.orchestrator", Bindable.of(OrchestratorProperties.class)).defaults();
    }

    private SessionPlan plan(Layout layout, int workers) {
        RunRequest request = new RunRequest("Find x.", workers, layout, null, null, null, null, null, 7L, null, null,
                null, null, null);
        return builder.build("run-1", "session-1", "PROMPT", RunSettings.resolve(request, defaults(), 99));
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

    @Test
    void policyAndSamplingDefaults() {
        SessionPlan plan = plan(Layout.COMBINED, 2);

        assertThat(plan.policy().stepPrefixFormat()).isEqualTo("**{name} [{step}]:** ");
        assertThat(plan.policy().selfCheckEveryTokens()).isEqualTo(1024);
        assertThat(plan.policy().selfCheckText()).isEqualTo(PromptTexts.SELF_CHECK).contains("anyone else");
        assertThat(plan.policy().finisherText()).isEqualTo(PromptTexts.FINISHER).contains("\\boxed{");
        assertThat(plan.policy().finisherTokens()).isEqualTo(16);
        assertThat(plan.policy().stopOnBoxedAnswer()).isTrue();
        assertThat(plan.policy().maxTokensPerWorker()).isEqualTo(1024);
        assertThat(plan.policy().maxStepTokens()).isEqualTo(512);
        assertThat(plan.sampling().seed()).isEqualTo(7L);
        assertThat(plan.sampling().temperature()).isEqualTo(0.6);
        assertThat(plan.sampling().topP()).isEqualTo(0.95);
        assertThat(plan.sampling().bannedTokenIds()).isEmpty();
    }

    @Test
    void requestValuesOverrideDefaults() {
        RunRequest request = new RunRequest("p", 2, Layout.COMBINED, 40, 12, 0.0, 1.0, 0, null, 0, 4, true, false,
                null);
        SessionPlan plan = builder.build("r", "s", "P", RunSettings.resolve(request, defaults(), 99));

        assertThat(plan.policy().maxTokensPerWorker()).isEqualTo(40);
        assertThat(plan.policy().maxStepTokens()).isEqualTo(12);
        assertThat(plan.policy().selfCheckEveryTokens()).isZero();
        assertThat(plan.policy().finisherTokens()).isEqualTo(4);
        assertThat(plan.sampling().temperature()).isZero();
        assertThat(plan.sampling().seed()).isEqualTo(99L);
    }
}
