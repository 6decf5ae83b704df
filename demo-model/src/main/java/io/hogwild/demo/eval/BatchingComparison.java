package io.hogwild.demo.eval;

import io.hogwild.collaboration.plan.RunSettings;
import io.hogwild.collaboration.prompt.PromptRenderer;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.PrefixCache;
import io.hogwild.lockstep.LockstepLoop;
import io.hogwild.lockstep.LockstepScheduler;
import io.hogwild.lockstep.ModelDescription;
import io.hogwild.lockstep.SamplingTokenChooser;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./hogwild demo-model batching}: the GPU worker's engine loop without the services around it. The same
 * held-out problems run greedily as sessions one after another, each alone in its passes, then all at once in joint
 * passes (continuous batching), on one warm model and prefix cache, as the GPU worker holds them; the report gives the
 * generated tokens per second of both and checks that every session emitted the same events both ways.
 */
public final class BatchingComparison {

    /** The GPU worker's default per-pass token budget. */
    static final int PASS_TOKEN_BUDGET = 512;
    private static final long PREFIX_CACHE_BYTES = 256L << 20;

    public record Options(Path model, int problems, int workers, int rounds, long seed) {}

    /** One round of the report; the names are the JSON's. */
    public record Round(int round, double sequential_seconds, double batched_seconds, long generated_tokens,
                        double sequential_tokens_per_s, double batched_tokens_per_s, double speedup,
                        long lockstep_passes, long joint_passes, int right, boolean same_events) {}

    private record Seen(long seq, long lockstep, EventData data) {}

    private BatchingComparison() {
    }

    public static List<Round> run(Options options, PrintStream progress) {
        List<ItemProblem> problems = new ProblemGenerator(options.seed(), ProblemGenerator.Split.TEST)
                .next(options.problems());
        List<Round> rounds = new ArrayList<>();
        try (LanguageModel model = LanguageModel.load(options.model());
             PrefixCache prefixes = new PrefixCache(model.transformer(), PREFIX_CACHE_BYTES)) {
            ModelInfo info = ModelDescription.describe(options.model(), options.model().getFileName().toString(),
                    model);
            // Untimed: JIT, allocator and the prompt prefix, which the GPU worker would also have computed already.
            LockstepScheduler.runAll(List.of(session(model, info, prefixes, problems.get(0), options, 0)),
                    PASS_TOKEN_BUDGET, model.transformer());
            for (int r = 1; r <= options.rounds(); r++) {
                List<LockstepLoop> alone = sessions(model, info, prefixes, problems, options);
                long t0 = System.nanoTime();
                long lockstepPasses = 0;
                for (LockstepLoop session : alone) {
                    lockstepPasses += LockstepScheduler.runAll(List.of(session), PASS_TOKEN_BUDGET,
                            model.transformer());
                }
                double sequential = (System.nanoTime() - t0) / 1e9;

                List<LockstepLoop> batched = sessions(model, info, prefixes, problems, options);
                t0 = System.nanoTime();
                long jointPasses = LockstepScheduler.runAll(batched, PASS_TOKEN_BUDGET, model.transformer());
                double together = (System.nanoTime() - t0) / 1e9;

                long tokens = 0;
                int right = 0;
                boolean same = true;
                for (int i = 0; i < problems.size(); i++) {
                    tokens += tokens(alone.get(i));
                    right += problems.get(i).answer().equals(answer(batched.get(i))) ? 1 : 0;
                    same &= seen(alone.get(i)).equals(seen(batched.get(i)));
                }
                Round round = new Round(r, round(sequential), round(together), tokens, round(tokens / sequential),
                        round(tokens / together), round(sequential / together), lockstepPasses, jointPasses, right,
                        same);
                rounds.add(round);
                progress.printf("batching: round %d: %d sessions one after another %.2f s, at once %.2f s (%.2fx),"
                                + " %d of %d right, same events: %s%n", r, problems.size(), sequential, together,
                        round.speedup(), right, problems.size(), same);
            }
        }
        return rounds;
    }

    private static List<LockstepLoop> sessions(LanguageModel model, ModelInfo info, PrefixCache prefixes,
                                               List<ItemProblem> problems, Options options) {
        List<LockstepLoop> sessions = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            sessions.add(session(model, info, prefixes, problems.get(i), options, i));
        }
        return sessions;
    }

    /** A greedy session of {@code problem}, planned and validated as the orchestrator and GPU worker do. */
    private static LockstepLoop session(LanguageModel model, ModelInfo info, PrefixCache prefixes,
                                        ItemProblem problem, Options options, int index) {
        List<String> names = WorkerNames.first(options.workers());
        String prompt = new PromptRenderer().render(info, problem.text(), names, Layout.COMBINED, false, false);
        RunSettings settings = new RunSettings(problem.text(), names, Layout.COMBINED, 256, 512, 0, 0.95, 20,
                options.seed() + index, 1024, 16, false, false);
        return ProblemRunner.newLoop(model, "batching-" + index, prompt, settings, SamplingTokenChooser::create,
                prefixes);
    }

    private static long tokens(LockstepLoop session) {
        return session.sessionRun().events().snapshot().stream()
                .filter(e -> e.data() instanceof EventData.Tokens)
                .mapToLong(e -> ((EventData.Tokens) e.data()).tokenIds().size())
                .sum();
    }

    private static String answer(LockstepLoop session) {
        return session.sessionRun().events().snapshot().stream()
                .filter(e -> e.data() instanceof EventData.FinalAnswer)
                .map(e -> ((EventData.FinalAnswer) e.data()).answer())
                .findFirst().orElse(null);
    }

    /** A session's events without their wall-clock timestamps. */
    private static List<Seen> seen(LockstepLoop session) {
        return session.sessionRun().events().snapshot().stream()
                .map(e -> new Seen(e.seq(), e.lockstep(), e.data())).toList();
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
