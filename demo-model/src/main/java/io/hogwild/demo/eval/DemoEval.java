package io.hogwild.demo.eval;

import io.hogwild.contracts.Layout;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./hogwild eval}: held-out problems through the real engine for each layout and worker count. Every
 * configuration gets the same problems, so the rows compare like with like.
 */
public final class DemoEval {

    /** One row of the report; automated checks read these exact names. */
    public record Row(String layout, int workers, int problems, double accuracy, double mean_steps,
                      double duplicate_rate) {}

    public record Options(Path model, int problems, List<Integer> workers, List<Layout> layouts, double temperature,
                          long seed, int maxTokensPerWorker) {}

    private DemoEval() {
    }

    public static List<Row> run(Options options, PrintStream progress) {
        List<ItemProblem> problems = new ProblemGenerator(options.seed(), ProblemGenerator.Split.TEST)
                .next(options.problems());
        List<Row> rows = new ArrayList<>();
        try (ProblemRunner runner = new ProblemRunner(options.model())) {
            for (Layout layout : options.layouts()) {
                for (int workers : options.workers()) {
                    long start = System.nanoTime();
                    int correct = 0;
                    long steps = 0;
                    double duplicateShare = 0;
                    for (int i = 0; i < problems.size(); i++) {
                        ItemProblem p = problems.get(i);
                        SolvedProblem solved = runner.solve(p, layout, workers, options.temperature(),
                                options.seed() + i, options.maxTokensPerWorker());
                        correct += solved.correct() ? 1 : 0;
                        steps += solved.lockstepPasses();
                        duplicateShare += (double) solved.duplicatedItems() / p.items().size();
                    }
                    int n = problems.size();
                    Row row = new Row(layout.name().toLowerCase(java.util.Locale.ROOT), workers, n,
                            round((double) correct / n), round((double) steps / n), round(duplicateShare / n));
                    rows.add(row);
                    progress.printf("eval: %s, %d workers: accuracy %.3f, mean steps %.1f, duplicates %.3f (%.0fs)%n",
                            row.layout(), workers, row.accuracy(), row.mean_steps(), row.duplicate_rate(),
                            (System.nanoTime() - start) / 1e9);
                }
            }
        }
        return rows;
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
