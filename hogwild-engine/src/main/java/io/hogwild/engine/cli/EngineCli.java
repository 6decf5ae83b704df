package io.hogwild.engine.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import io.hogwild.engine.ComputeDtype;
import io.hogwild.engine.Engines;
import io.hogwild.engine.bench.EngineBench;
import io.hogwild.engine.Generator;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.LanguageModel;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.model.CheckpointException;
import io.hogwild.engine.sampling.SamplingParams;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./hogwild engine <command>}: logits, generate, replay, bench, golden. Each prints one JSON document on stdout;
 * bad input gives one line on stderr and a non-zero exit code.
 */
public final class EngineCli {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USAGE = "usage: hogwild engine logits|generate|replay|bench|golden [options] (see README)";

    private EngineCli() {}

    public static void main(String[] args) {
        // stdout carries the JSON result only; anything a library prints goes to stderr.
        PrintStream out = System.out;
        System.setOut(System.err);
        int code = run(args, out);
        out.flush();
        System.exit(code);
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 0) {
            System.err.println(USAGE);
            return 2;
        }
        try {
            JsonNode result;
            switch (args[0]) {
                case "logits":
                    result = logits(new CliArgs(args, 1, Set.of("model", "ids", "mode", "dtype"), Set.of()));
                    break;
                case "generate":
                    result = generate(new CliArgs(args, 1,
                            Set.of("model", "ids", "prompt", "max-new-tokens", "temperature", "top-k", "top-p", "seed",
                                    "ban", "dtype"),
                            Set.of("greedy", "ignore-eos")));
                    break;
                case "replay":
                    result = replay(new CliArgs(args, 1, Set.of("model", "scenarios", "mode", "dtype"), Set.of()));
                    break;
                case "bench":
                    result = EngineBench.run(BenchOptions.from(new CliArgs(args, 1,
                            Set.of("shape", "workers", "context", "steps", "layouts", "modes", "warmup", "dtype",
                                    "sessions"),
                            Set.of("profile-ops"))));
                    break;
                case "golden":
                    result = GoldenCheck.run(new CliArgs(args, 1, Set.of("fixtures", "dtypes", "modes", "models"),
                            Set.of()));
                    break;
                default:
                    System.err.println("hogwild engine: unknown command '" + args[0] + "'; " + USAGE);
                    return 2;
            }
            out.println(JSON.writeValueAsString(result));
            return 0;
        } catch (CliArgs.UsageException | IllegalArgumentException e) {
            System.err.println("hogwild engine " + args[0] + ": " + oneLine(e.getMessage()));
            return 2;
        } catch (CheckpointException e) {
            System.err.println("hogwild engine " + args[0] + ": " + oneLine(e.getMessage()));
            return 1;
        } catch (Exception e) {
            System.err.println("hogwild engine " + args[0] + ": failed: " + oneLine(String.valueOf(e)));
            return 1;
        }
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static LanguageModel model(CliArgs a) {
        String dir = a.get("model", System.getProperty("hogwild.model"));
        if (dir == null) {
            throw new CliArgs.UsageException("missing required option --model");
        }
        return LanguageModel.load(Path.of(dir), Engines.defaultDevice(), dtype(a));
    }

    /** {@code --dtype float16|float32} (bfloat16 on a GPU); absent: the device's default. */
    static ai.djl.ndarray.types.DataType dtype(CliArgs a) {
        return a.has("dtype") ? ComputeDtype.parse(a.get("dtype", "")) : null;
    }

    private static int[] ids(CliArgs a, LanguageModel m) {
        int[] ids = a.intList("ids");
        if (ids == null && a.has("prompt")) {
            ids = m.tokenizer().encode(a.get("prompt", ""));
        }
        if (ids == null) {
            throw new CliArgs.UsageException("give the input as --ids 1,2,3" + (a.has("prompt") ? "" : " or --prompt TEXT"));
        }
        if (ids.length == 0) {
            throw new CliArgs.UsageException("the input has no tokens");
        }
        int vocab = m.config().vocabSize();
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new CliArgs.UsageException("token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
        }
        return ids;
    }

    static JsonNode logits(CliArgs a) {
        AttentionMode mode = AttentionMode.parse(a.get("mode", "shared"));
        try (LanguageModel m = model(a)) {
            int[] ids = ids(a, m);
            try (HogwildSession s = new HogwildSession(m.transformer(), mode)) {
                s.createBlocks(List.of("sequence"));
                s.setView("solo", List.of("sequence"));
                float[][] rows = s.forward(List.of(new Write("solo", ids)), Transformer.Readout.ALL).get("solo");
                ObjectNode result = JSON.createObjectNode();
                result.set("logits", JSON.valueToTree(rows));
                return result;
            }
        }
    }

    static JsonNode generate(CliArgs a) {
        try (LanguageModel m = model(a)) {
            int[] ids = ids(a, m);
            int max = a.integer("max-new-tokens", 32);
            if (max < 0) {
                throw new CliArgs.UsageException("--max-new-tokens must be >= 0");
            }
            var d = m.defaults();
            Set<Integer> banned = new HashSet<>();
            int[] ban = a.intList("ban");
            if (ban != null) {
                for (int b : ban) {
                    banned.add(b);
                }
            }
            SamplingParams p = a.flag("greedy")
                    ? new SamplingParams(0, 0, 1, 0, banned)
                    : new SamplingParams(a.number("temperature", d.temperature()), a.integer("top-k", d.topK()),
                            a.number("top-p", d.topP()), a.integer("seed", 0), banned);
            Set<Integer> stop = a.flag("ignore-eos") ? Set.of() : d.eosTokenIds();
            List<Integer> tokens = Generator.generate(m.transformer(), ids, max, p, stop);
            ObjectNode result = JSON.createObjectNode();
            result.set("new_tokens", JSON.valueToTree(tokens));
            if (a.has("prompt")) {
                result.put("text", m.tokenizer().decode(tokens.stream().mapToInt(Integer::intValue).toArray()));
            }
            return result;
        }
    }

    static JsonNode replay(CliArgs a) {
        AttentionMode mode = AttentionMode.parse(a.get("mode", "shared"));
        Path file = Path.of(a.required("scenarios"));
        if (!Files.isRegularFile(file)) {
            throw new CliArgs.UsageException("scenarios file not found: " + file);
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new CliArgs.UsageException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode scenarios = doc.path("hogwild_scenarios");
        if (!scenarios.isArray()) {
            throw new CliArgs.UsageException(file + " has no 'hogwild_scenarios' array");
        }
        try (LanguageModel m = model(a)) {
            ArrayNode outScenarios = JSON.createArrayNode();
            for (JsonNode sc : scenarios) {
                outScenarios.add(ScenarioReplay.replay(m.transformer(), sc, mode));
            }
            ObjectNode result = JSON.createObjectNode();
            result.set("hogwild_scenarios", outScenarios);
            return result;
        }
    }
}
