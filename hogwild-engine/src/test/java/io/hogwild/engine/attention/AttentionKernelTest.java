package io.hogwild.engine.attention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hogwild.engine.Golden;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.tensor.RowsKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The native attention layer (rows_attention.c, loaded when the launcher built it) against the naive attention, which
 * attends block by block with libtorch's operators: the same logits within float32 rounding, pass after pass, with
 * floating blocks seen in different orders, multi-token writes, blocks promoted and a prefill too long for the kernel.
 */
class AttentionKernelTest {

    private final Transformer model = Golden.model("qwen3-tiny").transformer();

    private HogwildSession session(AttentionMode mode) {
        HogwildSession s = new HogwildSession(model, mode);
        s.createBlocks(List.of("prompt", "history", "wip_a", "wip_b", "wip_c"));
        s.setView("init", List.of("prompt"));
        s.setView("a", List.of("prompt", "history", "wip_b", "wip_c", "wip_a"));
        s.setView("b", List.of("prompt", "history", "wip_c", "wip_a", "wip_b"));
        s.setView("c", List.of("prompt", "history", "wip_c")); // sees neither other step
        s.prefill("init", IntStream.range(3, 3 + 90).toArray(), 128); // 90 rows: libtorch's products
        return s;
    }

    /** Pass p: worker a writes 1 token, b writes 1 + p % 3 (a policy insert), c writes every other pass. */
    private static List<Write> writes(int pass) {
        int[] b = IntStream.range(0, 1 + pass % 3).map(i -> (17 + 5 * pass + i) % 200).toArray();
        List<Write> w = new ArrayList<>(List.of(new Write("a", new int[] {(11 + 3 * pass) % 200}),
                new Write("b", b)));
        if (pass % 2 == 0) {
            w.add(new Write("c", new int[] {(29 + 7 * pass) % 200}));
        }
        return w;
    }

    @Test
    void nativeLayerAttendsLikeTheNaiveAttention() {
        assumeTrue(RowsKernel.loaded(), "the rows-kernel library is not loaded (not run by ./hogwild)");
        long before = AttentionKernel.calls();
        try (HogwildSession kernel = session(AttentionMode.SHARED);
             HogwildSession naive = session(AttentionMode.NAIVE)) {
            for (int pass = 0; pass < 16; pass++) {
                Map<String, float[][]> got = kernel.forward(writes(pass), Transformer.Readout.ALL);
                Map<String, float[][]> want = naive.forward(writes(pass), Transformer.Readout.ALL);
                assertThat(got.keySet()).isEqualTo(want.keySet());
                for (String worker : want.keySet()) {
                    for (int r = 0; r < want.get(worker).length; r++) {
                        float[] expected = want.get(worker)[r];
                        float[] actual = got.get(worker)[r];
                        float scale = 1;
                        for (float v : expected) {
                            scale = Math.max(scale, Math.abs(v));
                        }
                        for (int v = 0; v < expected.length; v++) {
                            assertThat(Math.abs(actual[v] - expected[v]) / scale)
                                    .as("pass %d, worker %s, row %d, logit %d", pass, worker, r, v)
                                    .isLessThan(1e-5f);
                        }
                    }
                }
                if (pass % 5 == 4) {
                    for (HogwildSession s : List.of(kernel, naive)) {
                        s.promote("wip_a", "history");
                        s.promote("wip_b", "history");
                    }
                }
            }
        }
        // Every layer of every pass after the prefill went to the kernel.
        assertThat(AttentionKernel.calls() - before).isEqualTo(16L * model.config().numLayers());
    }
}
