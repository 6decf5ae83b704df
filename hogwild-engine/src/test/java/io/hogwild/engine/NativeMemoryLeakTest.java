package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Thousands of passes leave nothing behind, in both compute dtypes: every array a pass creates is released with its
 * pass manager, and the only long-lived arrays are the weights and the cache storage.
 */
class NativeMemoryLeakTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT16"})
    void thousandsOfPassesKeepArrayCountAndResidentMemoryFlat(DataType dtype) throws Exception {
        Transformer model = Golden.model("qwen3-tiny", dtype).transformer();
        int weightsArrays = model.manager().getManagedArrays().size();
        for (AttentionMode mode : AttentionMode.values()) {
            try (HogwildSession s = new HogwildSession(model, mode)) {
                s.createBlocks(List.of("prompt", "history", "wip_a", "wip_b"));
                s.setView("init", List.of("prompt"));
                s.setView("a", List.of("prompt", "history", "wip_b", "wip_a"));
                s.setView("b", List.of("prompt", "history", "wip_a", "wip_b"));
                s.prefill("init", new int[] {5, 6, 7, 8, 9}, 64);
                int steps = mode == AttentionMode.SHARED ? 3000 : 1000;
                long rssAfterWarmup = 0;
                for (int i = 0; i < steps; i++) {
                    s.forward(List.of(new Write("a", new int[] {10 + i % 400}), new Write("b", new int[] {20})),
                            Transformer.Readout.LAST_PER_WRITER);
                    // Promote every 20 steps so blocks stay short and the run is about per-step garbage.
                    if (i % 20 == 19) {
                        s.promote("wip_a", "history");
                        s.promote("wip_b", "history");
                    }
                    if (i == 500) {
                        rssAfterWarmup = nativeBytes();
                    }
                    // The cache owns exactly its storage: the key and value tensors and their per-layer views.
                    assertThat(s.cache().managedArrayCount()).isEqualTo(s.cache().storageArrayCount());
                }
                assertThat(model.manager().getManagedArrays().size() - s.cache().managedArrayCount())
                        .as("arrays owned by the model manager besides the cache").isEqualTo(weightsArrays);
                // The exact check is the array count above. Resident memory is a coarse guard on top: the malloc
                // arenas breathe by tens of MB, but a per-step leak of each step's arrays would add gigabytes.
                long growth = nativeBytes() - rssAfterWarmup;
                long historyBytes = (long) s.cache().block("history").capacity() * s.cache().bytesPerToken();
                assertThat(growth).as("resident memory growth").isLessThan(historyBytes + (256L << 20));
            }
        }
    }

    /** The same with two sessions in every pass (continuous batching): each joint pass leaves nothing either. */
    @Test
    void thousandsOfBatchedPassesOverTwoSessionsKeepArrayCountsFlat() {
        Transformer model = Golden.model("qwen3-tiny", DataType.FLOAT32).transformer();
        int weightsArrays = model.manager().getManagedArrays().size();
        try (HogwildSession s = twoWorkerSession(model); HogwildSession t = twoWorkerSession(model)) {
            for (int i = 0; i < 3000; i++) {
                List<BatchedForward.Result> results = BatchedForward.forward(model, List.of(
                        new BatchedForward.Request(s, List.of(new Write("a", new int[] {10 + i % 400}),
                                new Write("b", new int[] {20})), Transformer.Readout.LAST_PER_WRITER),
                        new BatchedForward.Request(t, List.of(new Write("a", new int[] {30}),
                                new Write("b", new int[] {40 + i % 300})), Transformer.Readout.LAST_PER_WRITER)));
                results.forEach(BatchedForward.Result::orThrow);
                if (i % 20 == 19) {
                    for (HogwildSession x : List.of(s, t)) {
                        x.promote("wip_a", "history");
                        x.promote("wip_b", "history");
                    }
                }
                assertThat(s.cache().managedArrayCount()).isEqualTo(s.cache().storageArrayCount());
                assertThat(t.cache().managedArrayCount()).isEqualTo(t.cache().storageArrayCount());
            }
            assertThat(model.manager().getManagedArrays().size() - s.cache().managedArrayCount()
                    - t.cache().managedArrayCount()).as("arrays owned by the model manager besides the caches")
                    .isEqualTo(weightsArrays);
        }
    }

    private static HogwildSession twoWorkerSession(Transformer model) {
        HogwildSession s = new HogwildSession(model, AttentionMode.SHARED);
        s.createBlocks(List.of("prompt", "history", "wip_a", "wip_b"));
        s.setView("init", List.of("prompt"));
        s.setView("a", List.of("prompt", "history", "wip_b", "wip_a"));
        s.setView("b", List.of("prompt", "history", "wip_a", "wip_b"));
        s.prefill("init", new int[] {5, 6, 7, 8, 9}, 64);
        return s;
    }

    /** Resident memory outside the Java heap (the heap itself may grow with ordinary garbage). */
    private static long nativeBytes() throws Exception {
        System.gc();
        return residentBytes() - Runtime.getRuntime().totalMemory();
    }

    private static long residentBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        return 0;
    }
}
