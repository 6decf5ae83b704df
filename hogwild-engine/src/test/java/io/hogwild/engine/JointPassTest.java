package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * One forward pass for several sessions ({@link BatchedForward}): each session's logits equal what it computes alone,
 * whatever the mix (sessions with different numbers of floating blocks share one rotation, padded to the largest;
 * a session of another attention mode in the pass attends on its own).
 */
class JointPassTest {

    private final Transformer model = Golden.model("qwen3-tiny").transformer();

    /** Two workers in the combined layout: each sees the other's current step before its own (two floating blocks). */
    private HogwildSession combined(AttentionMode mode, int seed) {
        HogwildSession s = new HogwildSession(model, mode);
        s.createBlocks(List.of("prompt", "history", "wip_a", "wip_b"));
        s.setView("init", List.of("prompt"));
        s.setView("a", List.of("prompt", "history", "wip_b", "wip_a"));
        s.setView("b", List.of("prompt", "history", "wip_a", "wip_b"));
        s.prefill("init", IntStream.range(5 + seed, 45 + seed).toArray(), 16);
        return s;
    }

    /** Three workers, each seeing only the prompt and its own aligned block (no floating block: one slot). */
    private HogwildSession independent(int seed) {
        HogwildSession s = new HogwildSession(model, AttentionMode.SHARED);
        s.createBlocks(List.of("prompt", "own_a", "own_b", "own_c"));
        s.setView("init", List.of("prompt"));
        for (String w : List.of("a", "b", "c")) {
            s.setView(w, List.of("prompt", "own_" + w));
        }
        s.prefill("init", IntStream.range(60 + seed, 90 + seed).toArray(), 16);
        return s;
    }

    private record Kind(Function<Integer, HogwildSession> make, List<String> workers) {}

    /** One token per worker, different per pass and worker. */
    private static List<Write> writes(Kind kind, int pass) {
        return kind.workers().stream()
                .map(w -> new Write(w, new int[] {(31 + 7 * pass + w.charAt(0)) % 200}))
                .toList();
    }

    @Test
    void everySessionOfAJointPassGetsTheLogitsItComputesAlone() {
        List<String> two = List.of("a", "b");
        List<Kind> kinds = List.of(new Kind(seed -> combined(AttentionMode.SHARED, seed), two),
                new Kind(this::independent, List.of("a", "b", "c")),
                new Kind(seed -> combined(AttentionMode.SHARED, seed), two),
                new Kind(seed -> combined(AttentionMode.NAIVE, seed), two));
        List<HogwildSession> alone = new ArrayList<>();
        List<HogwildSession> joint = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++) {
            alone.add(kinds.get(k).make().apply(k));
            joint.add(kinds.get(k).make().apply(k));
        }
        try {
            for (int pass = 0; pass < 12; pass++) {
                List<BatchedForward.Request> requests = new ArrayList<>();
                List<Map<String, float[][]>> expected = new ArrayList<>();
                for (int k = 0; k < kinds.size(); k++) {
                    expected.add(alone.get(k).forward(writes(kinds.get(k), pass), Transformer.Readout.ALL));
                    requests.add(new BatchedForward.Request(joint.get(k), writes(kinds.get(k), pass),
                            Transformer.Readout.ALL));
                }
                // All four together (the naive session attends on its own), then the three shared ones alone
                // together, which rotate in one broadcast.
                List<BatchedForward.Request> inPass = pass % 2 == 0 ? requests : requests.subList(0, 3);
                List<BatchedForward.Result> results = BatchedForward.forward(model, inPass);
                for (int k = 0; k < inPass.size(); k++) {
                    Map<String, float[][]> got = results.get(k).orThrow();
                    assertThat(got.keySet()).isEqualTo(expected.get(k).keySet());
                    for (String worker : got.keySet()) {
                        float[][] want = expected.get(k).get(worker);
                        for (int r = 0; r < want.length; r++) {
                            float[] row = got.get(worker)[r];
                            // Float32 rounding only: the joint pass multiplies more rows at once, which BLAS may
                            // sum in another order.
                            float scale = 0;
                            for (float w : want[r]) {
                                scale = Math.max(scale, Math.abs(w));
                            }
                            for (int v = 0; v < row.length; v++) {
                                assertThat(row[v]).as("session %d, worker %s, pass %d, logit %d", k, worker, pass, v)
                                        .isCloseTo(want[r][v], Offset.offset(1e-5f * Math.max(1, scale)));
                            }
                        }
                    }
                }
                if (inPass.size() < requests.size()) {
                    // the naive session stepped alone this time, to stay in lockstep with its twin
                    joint.get(3).forward(writes(kinds.get(3), pass), Transformer.Readout.ALL);
                }
                if (pass % 4 == 3) {
                    for (List<HogwildSession> sessions : List.of(alone, joint)) {
                        for (int k : new int[] {0, 2, 3}) {
                            sessions.get(k).promote("wip_a", "history");
                            sessions.get(k).promote("wip_b", "history");
                        }
                    }
                }
            }
        } finally {
            alone.forEach(HogwildSession::close);
            joint.forEach(HogwildSession::close);
        }
    }
}
