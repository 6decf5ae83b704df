package io.hogwild.engine.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.ComputeDtype;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code hogwild engine golden}: every golden fixture of a folder (a checkpoint beside its {@code expected.json})
 * through the engine on the default device, per compute dtype and attention mode, reporting the worst logit
 * difference against the fixture's float32 references: of its plain sequences, and of every op of its shared-cache
 * scenarios. It reports distances, not verdicts beyond float32's 1e-3: what a 16-bit run may differ by depends on
 * the device and is judged against the same checkpoint through transformers (the GPU check kit does that).
 */
public final class GoldenCheck {

    /** The float32 tolerance of the fixtures (their README). */
    public static final double FLOAT32_TOLERANCE = 1e-3;

    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenCheck() {}

    static JsonNode run(CliArgs a) {
        Path fixtures = Path.of(a.required("fixtures"));
        if (!Files.isDirectory(fixtures)) {
            throw new CliArgs.UsageException("fixtures folder not found: " + fixtures);
        }
        List<DataType> dtypes = new ArrayList<>();
        for (String d : a.get("dtypes", "float32").split(",")) {
            dtypes.add(ComputeDtype.parse(d));
        }
        List<AttentionMode> modes = new ArrayList<>();
        for (String m : a.get("modes", "shared,naive").split(",")) {
            modes.add(AttentionMode.parse(m));
        }
        List<Path> dirs = fixtureDirs(fixtures, a.has("models") ? List.of(a.get("models", "").split(",")) : null);
        Device device = io.hogwild.engine.Engines.defaultDevice();
        for (DataType dtype : dtypes) {
            ComputeDtype.check(dtype, device);
        }
        ArrayNode rows = JSON.createArrayNode();
        for (Path dir : dirs) {
            JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
            for (DataType dtype : dtypes) {
                try (Transformer model = Transformer.load(dir, device, dtype)) {
                    for (AttentionMode mode : modes) {
                        rows.add(check(dir.getFileName().toString(), expected, model, mode, dtype));
                    }
                }
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("device", device.toString());
        out.put("float32_tolerance", FLOAT32_TOLERANCE);
        out.set("rows", rows);
        return out;
    }

    /** The sub-folders that hold a fixture ({@code expected.json} and {@code config.json}), by name. */
    private static List<Path> fixtureDirs(Path fixtures, List<String> only) {
        List<Path> dirs;
        try (Stream<Path> children = Files.list(fixtures)) {
            dirs = children.filter(d -> Files.isRegularFile(d.resolve("expected.json"))
                            && Files.isRegularFile(d.resolve("config.json")))
                    .filter(d -> only == null || only.contains(d.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (dirs.isEmpty()) {
            throw new CliArgs.UsageException("no golden fixture (a folder with config.json and expected.json) in "
                    + fixtures + (only == null ? "" : " named " + String.join(",", only)));
        }
        return dirs;
    }

    private static ObjectNode check(String fixture, JsonNode expected, Transformer model, AttentionMode mode,
                                    DataType dtype) {
        ObjectNode row = JSON.createObjectNode();
        row.put("fixture", fixture);
        row.put("dtype", ComputeDtype.name(dtype));
        row.put("mode", mode.name().toLowerCase(Locale.ROOT));
        double worst = 0;
        ObjectNode sequences = row.putObject("sequences");
        double worstSequence = 0;
        for (var e : expected.path("sequences").properties()) {
            double d = maxDiff(e.getValue().path("logits"), sequenceLogits(model, mode, e.getValue().path("ids")));
            sequences.put(e.getKey(), d);
            worstSequence = Math.max(worstSequence, d);
        }
        row.put("sequences_max_diff", worstSequence);
        worst = Math.max(worst, worstSequence);
        int ops = 0;
        double worstScenario = 0;
        for (JsonNode scenario : expected.path("hogwild_scenarios")) {
            JsonNode replayed = ScenarioReplay.replay(model, scenario, mode).path("ops");
            JsonNode expectedOps = scenario.path("ops");
            for (int i = 0; i < expectedOps.size(); i++) {
                for (var e : expectedOps.get(i).path("expected_logits").properties()) {
                    JsonNode got = replayed.get(i).path("logits").path(e.getKey());
                    worstScenario = Math.max(worstScenario, maxDiff(e.getValue(), JSON.treeToValue(got, float[][].class)));
                    ops++;
                }
            }
        }
        row.put("scenario_outputs", ops);
        if (ops > 0) {
            row.put("scenarios_max_diff", worstScenario);
        }
        worst = Math.max(worst, worstScenario);
        row.put("max_diff", worst);
        if (dtype == DataType.FLOAT32) {
            row.put("within_float32_tolerance", worst <= FLOAT32_TOLERANCE);
        }
        return row;
    }

    private static float[][] sequenceLogits(Transformer model, AttentionMode mode, JsonNode ids) {
        int[] tokens = new int[ids.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = ids.get(i).asInt();
        }
        try (HogwildSession s = new HogwildSession(model, mode)) {
            s.createBlocks(List.of("all"));
            s.setView("solo", List.of("all"));
            return s.forward(List.of(new Write("solo", tokens)), Transformer.Readout.ALL).get("solo");
        }
    }

    /** Largest absolute difference between expected rows (JSON) and actual rows; a shape mismatch is an error. */
    public static double maxDiff(JsonNode expectedRows, float[][] actual) {
        if (expectedRows.size() != actual.length) {
            throw new IllegalStateException("row count " + actual.length + " != expected " + expectedRows.size());
        }
        double worst = 0;
        for (int r = 0; r < actual.length; r++) {
            JsonNode row = expectedRows.get(r);
            if (row.size() != actual[r].length) {
                throw new IllegalStateException("row width " + actual[r].length + " != expected " + row.size());
            }
            for (int c = 0; c < actual[r].length; c++) {
                worst = Math.max(worst, Math.abs(row.get(c).asDouble() - actual[r][c]));
            }
        }
        return worst;
    }
}
