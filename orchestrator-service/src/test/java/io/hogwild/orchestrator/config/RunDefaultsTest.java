package io.hogwild.orchestrator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.prompt.PromptTexts;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.worker.SessionPlan;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.mock.env.MockEnvironment;

/** The run defaults as Spring binds them, and how a request's own values override them in the plan. */
class RunDefaultsTest {

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
        return builder.build("run-1", "session-1", "PROMPT", defaults().resolve(request, 99));
    }

    @Test
    void policyAndSamplingDefaults() {
        SessionPlan plan = plan(Layout.COMBINED, 2);

        assertThat(plan.policy().stepPrefixFormat()).isEqualTo("**{name} [{step}]:** ");
        assertThat(plan.policy().openingFormat()).isEqualTo(PromptTexts.OPENING_FORMAT);
        assertThat(plan.policy().selfCheckEveryTokens()).isEqualTo(1024);
        assertThat(plan.policy().selfCheckText()).isEqualTo(PromptTexts.SELF_CHECK).contains("(yes/no)");
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
        SessionPlan plan = builder.build("r", "s", "P", defaults().resolve(request, 99));

        assertThat(plan.policy().maxTokensPerWorker()).isEqualTo(40);
        assertThat(plan.policy().maxStepTokens()).isEqualTo(12);
        assertThat(plan.policy().selfCheckEveryTokens()).isZero();
        assertThat(plan.policy().finisherTokens()).isEqualTo(4);
        assertThat(plan.sampling().temperature()).isZero();
        assertThat(plan.sampling().seed()).isEqualTo(99L);
    }
}
