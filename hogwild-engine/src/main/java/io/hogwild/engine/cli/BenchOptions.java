package io.hogwild.engine.cli;

import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.attention.AttentionMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code hogwild engine bench}, validated.
 *
 * @param profileOps also count the operators of every row, in a separate profiled run after its timed one
 * @param dtype the compute dtype ({@code null}: float32)
 * @param sessions sessions per row: above 1, each row also times that many sessions batched into one forward pass
 *     per lockstep pass against the same sessions stepped one after another
 */
public record BenchOptions(String shape, int[] workers, int[] contexts, int steps, int warmup, List<String> layouts,
                           List<AttentionMode> modes, boolean profileOps, DataType dtype, int sessions) {

    static BenchOptions from(CliArgs a) {
        int[] workers = a.has("workers") ? a.intList("workers") : new int[] {1, 2, 4};
        int[] contexts = a.has("context") ? a.intList("context") : new int[] {512, 2048, 8192};
        for (int w : workers) {
            if (w < 1 || w > 64) {
                throw new CliArgs.UsageException("--workers values must be in 1..64, got " + w);
            }
        }
        for (int c : contexts) {
            if (c < 1 || c > 1_000_000) {
                throw new CliArgs.UsageException("--context values must be in 1..1000000, got " + c);
            }
        }
        int steps = a.integer("steps", 4);
        int warmup = a.integer("warmup", 1);
        if (steps < 1 || warmup < 0) {
            throw new CliArgs.UsageException("--steps must be >= 1 and --warmup >= 0");
        }
        int sessions = a.integer("sessions", 1);
        if (sessions < 1 || sessions > 256) {
            throw new CliArgs.UsageException("--sessions must be in 1..256, got " + sessions);
        }
        List<String> layouts = Arrays.asList(a.get("layouts", "combined").split(","));
        List<AttentionMode> modes = new ArrayList<>();
        for (String m : a.get("modes", "shared,naive").split(",")) {
            modes.add(AttentionMode.parse(m));
        }
        return new BenchOptions(a.get("shape", "qwen3-0.6b"), workers, contexts, steps, warmup, layouts, modes,
                a.flag("profile-ops"), EngineCli.dtype(a), sessions);
    }
}
