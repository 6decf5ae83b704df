package io.hogwild.lockstep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.ResumeSpec;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A session resumed from a prefix of another's events (the run's log when its GPU worker went away) emits exactly the
 * rest of the original session's events: same seqs, lockstep numbers and data, on the real engine with the real
 * sampler. The cut points fall at the start, inside a pass (some of its choices recorded, others not), at a step
 * boundary with a promotion due, and among the last passes; sampled runs show the seeded streams advanced the same.
 */
class ResumeReplayTest {

    private static SessionPlan plan(Layout layout, int workers, double temperature, int selfCheckEvery) {
        RunSettings settings = new RunSettings("p", WorkerNames.first(workers), layout, 20, 7, temperature, 0.95, 20,
                11, selfCheckEvery, 6, false, false);
        return new PlanBuilder().build("r", "s", LockstepLoopTest.PROMPT, settings);
    }

    private static List<SessionEvent> run(SessionPlan plan) {
        ValidatedPlan validated = new PlanValidator(LockstepLoopTest.MODEL).validate(plan);
        SessionRun run = new SessionRun(plan, validated.sessionId(), 100_000, validated.estimatedCacheBytes(), () -> { });
        new LockstepLoop(validated, LockstepLoopTest.MODEL, SamplingTokenChooser::create, run, LockstepMetrics.NONE)
                .run();
        return run.events().snapshot();
    }

    /** What the orchestrator sends after recording the first {@code recorded} events. */
    static ResumeSpec resumeAfter(List<SessionEvent> events, int recorded) {
        Map<String, List<Integer>> chosen = new LinkedHashMap<>();
        for (SessionEvent e : events.subList(0, recorded)) {
            if (e.data() instanceof EventData.Tokens t) {
                chosen.computeIfAbsent(t.worker(), w -> new ArrayList<>()).addAll(t.tokenIds());
            }
        }
        return new ResumeSpec(recorded, chosen);
    }

    @ParameterizedTest(name = "{0}, {1} workers, temperature {2}, self-check every {3}")
    @CsvSource({"COMBINED, 2, 0.0, 0", "COMBINED, 4, 0.8, 16", "INTERLEAVED, 3, 0.8, 0"})
    void aResumedSessionEmitsExactlyTheRestOfTheOriginal(Layout layout, int workers, double temperature,
                                                         int selfCheckEvery) {
        SessionPlan plan = plan(layout, workers, temperature, selfCheckEvery);
        List<SessionEvent> original = run(plan);
        assertThat(original.get(original.size() - 1).data()).isInstanceOf(EventData.SessionFinished.class);
        int n = original.size();
        // Cuts spread over the whole session, an odd stride so they land on every kind of position within a pass.
        for (int recorded = 0; recorded < n - 1; recorded += Math.max(1, n / 4) | 1) {
            List<SessionEvent> resumed = run(plan.resumedAs("s-resumed", resumeAfter(original, recorded)));
            assertThat(resumed).as("resumed after %d of %d events", recorded, n).hasSize(n - recorded);
            for (int i = 0; i < resumed.size(); i++) {
                SessionEvent expected = original.get(recorded + i);
                SessionEvent actual = resumed.get(i);
                assertThat(actual.seq()).as("seq after %d", recorded).isEqualTo(expected.seq());
                assertThat(actual.lockstep()).as("lockstep of seq %d", expected.seq()).isEqualTo(expected.lockstep());
                assertThat(actual.data()).as("event %d after resuming at %d", expected.seq(), recorded)
                        .usingRecursiveComparison().isEqualTo(expected.data());
            }
        }
    }

    @Test
    void aReplayThatDoesNotFitThePlanIsRefusedNamingTheField() {
        SessionPlan plan = plan(Layout.COMBINED, 2, 0.0, 0);
        List<SessionEvent> original = run(plan);
        PlanValidator validator = new PlanValidator(LockstepLoopTest.MODEL);
        ResumeSpec fits = resumeAfter(original, 30);

        Map<String, List<Integer>> stranger = new LinkedHashMap<>(fits.chosenTokens());
        stranger.put("Mallory", List.of(1));
        assertField(validator, plan.resumedAs("x", new ResumeSpec(30, stranger)), "resume.chosen_tokens.Mallory");

        Map<String, List<Integer>> outOfVocabulary = new LinkedHashMap<>(fits.chosenTokens());
        outOfVocabulary.put("Alice", List.of(1, LockstepLoopTest.MODEL.config().vocabSize()));
        assertField(validator, plan.resumedAs("x", new ResumeSpec(30, outOfVocabulary)),
                "resume.chosen_tokens.Alice[1]");

        // Bob's choices run ahead of Alice's: the replay stops where Alice has none left.
        Map<String, List<Integer>> uneven = new LinkedHashMap<>(fits.chosenTokens());
        uneven.put("Bob", resumeAfter(original, 60).chosenTokens().get("Bob"));
        assertField(validator, plan.resumedAs("x", new ResumeSpec(30, uneven)), "resume.chosen_tokens.Bob");

        assertField(validator, plan.resumedAs("x", new ResumeSpec(3, fits.chosenTokens())), "resume.events_recorded");
        assertField(validator, plan.resumedAs("x", new ResumeSpec(29 + 25, fits.chosenTokens())),
                "resume.events_recorded");
        assertField(validator, plan.resumedAs("x", new ResumeSpec(-1, Map.of())), "resume.events_recorded");
        assertThat(validator.validate(plan.resumedAs("x", fits)).plan().resume()).isEqualTo(fits);
    }

    private static void assertField(PlanValidator validator, SessionPlan plan, String field) {
        assertThatThrownBy(() -> validator.validate(plan)).isInstanceOfSatisfying(InvalidPlanException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }
}
