package io.hogwild.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The largest budget per worker is exactly the largest that fits the context. */
class ContextBudgetTest {

    @Test
    void theLargestFittingBudgetFitsAndOneMoreDoesNot() {
        for (int context = 200; context <= 40_000; context += 97) {
            for (int writers = 1; writers <= 8; writers++) {
                ContextBudget budget = new ContextBudget(context, 150, 16, writers);
                int largest = budget.largestFitting();
                if (largest > 0) {
                    assertThat(budget.needed(largest)).isLessThanOrEqualTo(context);
                }
                assertThat(budget.needed(largest + 1)).as("context %d, %d writers", context, writers)
                        .isGreaterThan(context);
            }
        }
    }

    @Test
    void theBundledDemoModelsContextLeavesTwoWorkersSeveralHundredTokensEach() {
        // 2048 tokens, a prompt of about 200: the old default of 1024 per worker did not fit two workers.
        ContextBudget twoWorkers = new ContextBudget(2048, 200, 16, 2);
        assertThat(twoWorkers.needed(1024)).isGreaterThan(2048);
        assertThat(twoWorkers.largestFitting()).isBetween(700, 800);
    }

    @Test
    void aPromptThatLeavesNoRoomFitsNothing() {
        assertThat(new ContextBudget(300, 250, 16, 2).largestFitting()).isZero();
    }
}
