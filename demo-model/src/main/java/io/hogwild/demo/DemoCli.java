package io.hogwild.demo;

import io.hogwild.demo.train.TrainOptions;
import io.hogwild.demo.train.Trainer;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import io.hogwild.contracts.Layout;
import io.hogwild.demo.eval.BatchingComparison;
import io.hogwild.demo.eval.DemoEval;
import io.hogwild.demo.eval.ProblemRunner;
import io.hogwild.demo.eval.SolvedProblem;
import io.hogwild.demo.problems.ItemProblem;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.collaboration.prompt.WorkerNames;
import io.hogwild.engine.model.CheckpointException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code ./hogwild demo-model train|try|batching} and {@code ./hogwild eval}. */
public final class DemoCli {

    public static void main(String[] args) {
        // Our own logging setup (warnings only, on stderr: stdout carries the JSON), not the GPU worker's.
        System.setProperty("logback.configurationFile", "hogwild-demo-logback.xml");
        if (args.length == 0) {
            usage();
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "train" -> train(rest);
                case "eval" -> eval(rest);
                case "try" -> tryOne(rest);
                case "batching" -> batching(rest);
                default -> usage();
            }
        } catch (CheckpointException e) {
            System.err.println("hogwild: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void train(String[] args) {
        Path bundled = Path.of(System.getProperty("hogwild.root", ".")).resolve("models/hogwild-demo");
        Map<String, String> o = options(args, "--output", "--seed", "--steps", "--init", "--peak-lr",
                "--worker-weights");
        Path out = o.containsKey("--output") ? Path.of(o.get("--output")) : bundled;
        TrainOptions d;
        if (o.containsKey("--init")) {
            Path init = Path.of(o.get("--init"));
            requireModel(init);
            if (init.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
                fail("--init and --output must differ: the checkpoint is overwritten while training");
            }
            d = TrainOptions.continuing(out, init);
        } else {
            d = TrainOptions.defaults(out);
        }
        long seed = seed(o, d.seed());
        int steps = positive(o, "--steps", d.steps());
        double peak = number(o, "--peak-lr", d.peakLearningRate());
        List<Integer> weights = o.containsKey("--worker-weights") ? workerWeights(o.get("--worker-weights"))
                : d.workerWeights();
        new Trainer(new TrainOptions(out, seed, steps, d.batchTokens(), peak, d.warmupSteps(),
                d.weightDecay(), d.checkpointEvery(), d.init(), weights), System.out).train();
    }

    /** {@code --worker-weights}: eight non-negative integers, the frequency of runs with 1 to 8 workers. */
    private static List<Integer> workerWeights(String value) {
        try {
            List<Integer> weights = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
            io.hogwild.demo.traces.TraceGenerator.checkedWeights(weights);
            return weights;
        } catch (IllegalArgumentException e) {
            fail("--worker-weights must be eight comma-separated non-negative integers (runs with 1 to 8 workers),"
                    + " not all zero; got '" + value + "'");
            throw e;
        }
    }

    private static void eval(String[] args) {
        Map<String, String> o = options(args, "--model", "--problems", "--workers", "--layouts", "--temperature",
                "--seed", "--max-tokens");
        Path model = o.containsKey("--model") ? Path.of(o.get("--model")) : defaultModel();
        int problems = positive(o, "--problems", 100);
        int maxTokens = positive(o, "--max-tokens", 1024);
        double temperature = number(o, "--temperature", 0);
        long seed = seed(o, 1);
        List<Integer> workers = Arrays.stream(o.getOrDefault("--workers", "1,2,4,8").split(","))
                .map(w -> positive(Map.of("--workers", w.trim()), "--workers", 1)).toList();
        List<Layout> layouts = Arrays.stream(o.getOrDefault("--layouts", "combined,interleaved,contiguous,independent").split(","))
                .map(String::trim).map(DemoCli::layout).toList();
        if (workers.stream().anyMatch(w -> w > WorkerNames.ALL.size())) {
            fail("--workers: at most " + WorkerNames.ALL.size() + " workers");
        }
        requireModel(model);
        List<DemoEval.Row> rows =
                DemoEval.run(new DemoEval.Options(model, problems, workers, layouts, temperature, seed, maxTokens),
                        System.err);
        try {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("rows", rows)));
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The engine loop's continuous batching measured without the services: sessions alone, then all at once. */
    private static void batching(String[] args) {
        Map<String, String> o = options(args, "--model", "--problems", "--workers", "--rounds", "--seed");
        Path model = o.containsKey("--model") ? Path.of(o.get("--model")) : defaultModel();
        int problems = positive(o, "--problems", 12);
        int workers = positive(o, "--workers", 2);
        int rounds = positive(o, "--rounds", 3);
        long seed = seed(o, 16);
        if (workers > WorkerNames.ALL.size()) {
            fail("--workers: at most " + WorkerNames.ALL.size() + " workers");
        }
        requireModel(model);
        List<BatchingComparison.Round> result = BatchingComparison.run(
                new BatchingComparison.Options(model, problems, workers, rounds, seed), System.err);
        try {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("rounds", result)));
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One held-out problem, with every worker's transcript: what the demo model does, readable. */
    private static void tryOne(String[] args) {
        Map<String, String> o = options(args, "--model", "--workers", "--layout", "--seed", "--temperature");
        Path model = o.containsKey("--model") ? Path.of(o.get("--model")) : defaultModel();
        int workers = positive(o, "--workers", 2);
        Layout layout = layout(o.getOrDefault("--layout", "combined"));
        long seed = seed(o, 1);
        double temperature = number(o, "--temperature", 0);
        requireModel(model);
        ItemProblem problem = new ProblemGenerator(seed, ProblemGenerator.Split.TEST).next();
        try (ProblemRunner runner = new ProblemRunner(model)) {
            SolvedProblem solved = runner.solve(problem, layout, workers, temperature, seed);
            System.out.println("Problem: " + problem.text());
            solved.transcripts().forEach((name, text) -> System.out.println("\n--- " + name + " ---\n" + text));
            System.out.printf("%nanswer %s (expected %s) after %d lockstep passes; items per worker %s%n",
                    solved.answer(), problem.answer(), solved.lockstepPasses(), solved.computedBy());
        }
    }

    /** HOGWILD_MODEL when set, else the demo model's folder. */
    private static Path defaultModel() {
        String configured = System.getenv("HOGWILD_MODEL");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("hogwild.root", ".")).resolve("models/hogwild-demo");
    }

    private static void requireModel(Path model) {
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            fail("not a model folder (no config.json): " + model
                    + " (make the demo model with ./hogwild demo-model train, or pass --model DIR)");
        }
    }

    private static Layout layout(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "combined" -> Layout.COMBINED;
            case "interleaved" -> Layout.INTERLEAVED;
            case "contiguous" -> Layout.CONTIGUOUS;
            case "independent" -> Layout.INDEPENDENT;
            default -> {
                fail("--layouts: combined, interleaved, contiguous or independent, not '" + name + "'");
                yield null;
            }
        };
    }

    /** {@code --name value} pairs; an unknown name or a missing value is a one-line error. */
    private static Map<String, String> options(String[] args, String... allowed) {
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of(allowed).contains(option)) {
                fail("unknown option " + option + " (options: " + String.join(" ", allowed) + ")");
            }
            values.put(option, value(args, ++i, option));
        }
        return values;
    }

    private static long seed(Map<String, String> options, long otherwise) {
        String v = options.get("--seed");
        try {
            return v == null ? otherwise : Long.parseLong(v);
        } catch (NumberFormatException e) {
            fail("--seed needs a whole number, got '" + v + "'");
            return otherwise;
        }
    }

    private static double number(Map<String, String> options, String name, double otherwise) {
        String v = options.get(name);
        try {
            return v == null ? otherwise : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            fail(name + " needs a number, got '" + v + "'");
            return otherwise;
        }
    }

    private static int positive(Map<String, String> options, String name, int otherwise) {
        String v = options.get(name);
        int n = otherwise;
        try {
            n = v == null ? otherwise : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            fail(name + " needs a whole number, got '" + v + "'");
        }
        if (n < 1) {
            fail(name + " must be at least 1");
        }
        return n;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    static void fail(String message) {
        System.err.println("hogwild: " + message);
        System.exit(2);
    }

    private static void usage() {
        fail("usage: demo-model train [--output DIR] [--seed N] [--steps N] [--init DIR] [--peak-lr X] [--worker-weights W1,...,W8] | try [--workers N] [--layout L] "
                + "[--seed S] | eval [--model DIR] [--problems N] [--workers 1,2,4,8] "
                + "[--layouts combined,interleaved,contiguous,independent] | batching [--model DIR] [--problems N] "
                + "[--workers N] [--rounds N] [--seed S]");
    }
}
