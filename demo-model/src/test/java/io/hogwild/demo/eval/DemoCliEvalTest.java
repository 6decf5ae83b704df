package io.hogwild.demo.eval;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.hogwild.demo.TinyDemoCheckpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code ./hogwild eval}'s contract: the JSON rows with their exact names, one-line errors with exit code 2. */
class DemoCliEvalTest {

    record Result(int exit, String stdout, String stderr) {}

    static Result cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Dai.djl.offline=true", "-Xss4m", "-cp", System.getProperty("java.class.path"),
                "io.hogwild.demo.DemoCli"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    /** The contract, on an untrained checkpoint of the demo format (quick: it answers nothing useful). */
    @Test
    void printsOneRowPerLayoutAndWorkerCount(@TempDir Path dir) throws Exception {
        Path model = TinyDemoCheckpoint.write(dir.resolve("tiny"), 2);
        Result r = cli("eval", "--model", model.toString(), "--problems", "2", "--workers", "1,2",
                "--layouts", "combined,independent", "--max-tokens", "24");
        assertThat(r.exit()).as(r.stderr()).isZero();
        JsonNode rows = new ObjectMapper().readTree(r.stdout()).get("rows");
        assertThat(rows).hasSize(4);
        for (JsonNode row : rows) {
            List<String> names = new ArrayList<>();
            names.addAll(row.propertyNames());
            assertThat(names).containsExactly("layout", "workers", "problems", "accuracy", "mean_steps",
                    "duplicate_rate");
            assertThat(row.get("problems").asInt()).isEqualTo(2);
            assertThat(row.get("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(row.get("duplicate_rate").asDouble()).isBetween(0.0, 1.0);
            assertThat(row.get("mean_steps").asDouble()).isPositive();
            assertThat(row.get("accuracy").asDouble()).as("an untrained model").isZero();
        }
        assertThat(rows.get(0).get("layout").asString()).isEqualTo("combined");
        assertThat(rows.get(3).get("layout").asString()).isEqualTo("independent");
        assertThat(rows.get(3).get("workers").asInt()).isEqualTo(2);
    }

    @Test
    void badOptionsGetOneLineAndExitCode2() throws Exception {
        for (String[] args : List.of(
                new String[] {"eval", "--layouts", "sideways"},
                new String[] {"eval", "--problems", "many"},
                new String[] {"eval", "--workers", "0"},
                new String[] {"eval", "--model", "/nonexistent"},
                new String[] {"eval", "--frobnicate", "1"},
                new String[] {"eval", "--workers", "1,9"},
                new String[] {"train", "--init", "/nonexistent"},
                new String[] {"train", "--worker-weights", "1,2,3"},
                new String[] {"train", "--worker-weights", "0,0,0,0,0,0,0,0"},
                new String[] {"train", "--worker-weights", "1,1,1,1,1,1,1,x"})) {
            Result r = cli(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.stderr().strip().lines().filter(l -> !l.contains("SLF4J")).toList()).hasSize(1)
                    .allSatisfy(l -> assertThat(l).startsWith("hogwild: "));
            assertThat(r.stdout()).isEmpty();
        }
    }
}
