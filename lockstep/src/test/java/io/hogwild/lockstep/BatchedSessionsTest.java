package io.hogwild.lockstep;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.SessionState;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.PrefixCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching changes nothing a session sees: sessions stepped together in joint forward passes (with their
 * prefill chunks beside the others' decode passes) produce exactly the tokens and events they produce alone.
 * The bundled demo model, greedy, real plans of the platform.
 */
class BatchedSessionsTest {

    static final Path DEMO = Path.of("..", "models", "hogwild-demo");
    static final LanguageModel MODEL = LanguageModel.load(DEMO, ai.djl.Device.cpu());
    static final ModelInfo INFO = ModelDescription.describe(DEMO, "hogwild-demo", MODEL);

    @AfterAll
    static void close() {
        MODEL.close();
    }

    record Spec(String problem, int workers, Layout layout, int budget) {}

    static final List<Spec> SPECS = List.of(
            new Spec("Compute every item, then answer with each letter and its result: A=3+4, B=9-5, C=2*3, D=8-1.",
                    2, Layout.COMBINED, 48),
            new Spec("Compute every item, then answer with each letter and its result: A=1+1, B=7-2, C=3*3.",
                    2, Layout.COMBINED, 40),
            new Spec("Compute every item, then answer with each letter and its result: A=6-4, B=2+5, C=4*2, D=9-9, "
                    + "E=5+3.", 3, Layout.INTERLEAVED, 36),
            new Spec("Compute every item, then answer with each letter and its result: A=9-1, B=3+3.",
                    1, Layout.SINGLE, 30));

    static LockstepLoop loop(Spec spec, int index) {
        return loop(spec, index, null);
    }

    static LockstepLoop loop(Spec spec, int index, PrefixCache prefixCache) {
        return loop(spec, index, prefixCache, (i, w, s) -> SamplingTokenChooser.greedy());
    }

    static LockstepLoop loop(Spec spec, int index, PrefixCache prefixCache, TokenChooser.Factory choosers) {
        List<String> names = WorkerNames.first(spec.workers());
        String prompt = new PromptRenderer().render(INFO, spec.problem(), names, spec.layout(), false, false);
        // finisher tokens > 0: a session without an answer also runs its finisher pass, batched like the rest
        RunSettings settings = new RunSettings(spec.problem(), names, spec.layout(), spec.budget(), 512, 0, 1, 0, 1,
                1024, 12, false, false);
        SessionPlan plan = new PlanBuilder().build("run-" + index, "session-" + index, prompt, settings);
        ValidatedPlan validated = new PlanValidator(MODEL).validate(plan);
        SessionRun run = new SessionRun(plan, validated.sessionId(), 100_000, validated.estimatedCacheBytes(),
                () -> { });
        return new LockstepLoop(validated, MODEL, choosers, run, LockstepMetrics.NONE, prefixCache);
    }

    /** A session's events without their wall-clock timestamps. */
    record Seen(long seq, long lockstep, EventData data) {}

    static List<Seen> seen(LockstepLoop loop) {
        return loop.sessionRun().events().snapshot().stream()
                .map((SessionEvent e) -> new Seen(e.seq(), e.lockstep(), e.data())).toList();
    }

    @Test
    void fourSessionsBatchedProduceTheTokensAndEventsEachProducesAlone() {
        List<List<Seen>> alone = new ArrayList<>();
        for (int i = 0; i < SPECS.size(); i++) {
            LockstepLoop loop = loop(SPECS.get(i), i);
            loop.run();
            assertThat(loop.sessionRun().state()).isEqualTo(SessionState.FINISHED);
            alone.add(seen(loop));
        }

        List<LockstepLoop> batched = new ArrayList<>();
        for (int i = 0; i < SPECS.size(); i++) {
            batched.add(loop(SPECS.get(i), i));
        }
        // A budget of one prefill chunk: prompts go in chunk by chunk beside the other sessions' decode passes.
        int passes = 0;
        int maxSessionsInAPass = 0;
        while (batched.stream().anyMatch(l -> !l.done())) {
            long live = batched.stream().filter(l -> !l.done()).count();
            maxSessionsInAPass = (int) Math.max(maxSessionsInAPass, live);
            LockstepScheduler.step(batched, 256, MODEL.transformer());
            passes++;
        }

        long aloneTokens = 0;
        for (int i = 0; i < SPECS.size(); i++) {
            assertThat(batched.get(i).sessionRun().state()).isEqualTo(SessionState.FINISHED);
            assertThat(seen(batched.get(i))).as("events of session %d", i).containsExactlyElementsOf(alone.get(i));
            aloneTokens += alone.get(i).stream().filter(s -> s.data() instanceof EventData.Tokens).count();
        }
        assertThat(aloneTokens).isPositive();
        assertThat(maxSessionsInAPass).isEqualTo(4);
        long lockstepPassesAlone = alone.stream().mapToLong(events -> events.stream()
                .filter(s -> s.data() instanceof EventData.PassWritten).count()).sum();
        assertThat(passes).as("joint passes, against the sessions' lockstep passes one after another")
                .isLessThan((int) lockstepPassesAlone);
    }

    @Test
    void thePromptPrefixAndTheHeadersAreComputedOnceForEverySessionThatStartsWithThem() {
        List<Spec> specs = List.of(SPECS.get(0), SPECS.get(1),
                new Spec(SPECS.get(2).problem(), 2, Layout.COMBINED, 30));
        List<Map<String, int[]>> initial = new ArrayList<>();
        List<List<Seen>> withoutCache = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            LockstepLoop loop = loop(specs.get(i), i);
            loop.run();
            withoutCache.add(seen(loop));
            assertThat(loop.reusedTokens()).isZero();
            initial.add(new PlanValidator(MODEL).validate(loop.sessionRun().plan()).initialTokens());
            assertThat(loop.prefilledTokens()).isEqualTo(tokens(initial.get(i)));
        }
        // The same layout and workers: the same headers and markers (the markers' text is the same for every worker).
        int[] prompt = initial.get(0).get(PlanBuilder.PROMPT);
        long fixedBlocks = tokens(initial.get(0)) - prompt.length;
        long distinctFixedBlocks = initial.get(0).entrySet().stream()
                .filter(e -> !e.getKey().equals(PlanBuilder.PROMPT))
                .map(e -> java.util.Arrays.stream(e.getValue()).boxed().toList()).distinct()
                .mapToLong(List::size).sum();

        try (PrefixCache cache = new PrefixCache(MODEL.transformer(), 64L << 20)) {
            long prefilled = 0;
            for (int i = 0; i < specs.size(); i++) {
                LockstepLoop loop = loop(specs.get(i), i, cache);
                loop.run();
                assertThat(seen(loop)).as("events of session %d", i).containsExactlyElementsOf(withoutCache.get(i));
                prefilled += loop.prefilledTokens();
                if (i == 0) {
                    assertThat(loop.prefilledTokens()).isEqualTo(prompt.length + distinctFixedBlocks);
                } else {
                    // the template up to the problem, and every header and marker
                    int shared = commonPrefix(prompt, initial.get(i).get(PlanBuilder.PROMPT));
                    assertThat(shared).isGreaterThan(PrefixCache.MIN_SHARED_TOKENS);
                    assertThat(loop.reusedTokens()).isEqualTo(shared + fixedBlocks);
                    assertThat(loop.prefilledTokens()).isEqualTo(tokens(initial.get(i)) - shared - fixedBlocks);
                }
            }
            long problems = 0;
            for (int i = 1; i < specs.size(); i++) {
                problems += initial.get(i).get(PlanBuilder.PROMPT).length
                        - commonPrefix(prompt, initial.get(i).get(PlanBuilder.PROMPT));
            }
            assertThat(prefilled).as("the first prompt, each distinct fixed block once, the other problems")
                    .isEqualTo(prompt.length + distinctFixedBlocks + problems);
        }
    }

    @Test
    void aFailingSessionEndsAloneAndTheOthersGoOnUntouched() {
        LockstepLoop alone = loop(SPECS.get(1), 1);
        alone.run();

        AtomicInteger chosen = new AtomicInteger();
        LockstepLoop failing = loop(SPECS.get(0), 0, null, (i, w, s) -> logits -> {
            if (chosen.incrementAndGet() > 5) {
                throw new IllegalStateException("chooser broke");
            }
            return 0;
        });
        LockstepLoop healthy = loop(SPECS.get(1), 1);
        LockstepScheduler.runAll(List.of(failing, healthy), 256, MODEL.transformer());

        assertThat(failing.sessionRun().state()).isEqualTo(SessionState.FAILED);
        assertThat(seen(failing)).extracting(Seen::data).anySatisfy(d -> assertThat(d)
                .isInstanceOfSatisfying(EventData.Error.class, e -> assertThat(e.message()).isEqualTo("chooser broke")));
        assertThat(healthy.sessionRun().state()).isEqualTo(SessionState.FINISHED);
        assertThat(seen(healthy)).containsExactlyElementsOf(seen(alone));
    }

    static long tokens(Map<String, int[]> blocks) {
        return blocks.values().stream().mapToLong(t -> t.length).sum();
    }

    static int commonPrefix(int[] a, int[] b) {
        int i = 0;
        while (i < Math.min(a.length, b.length) && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
