package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.KvBlock;
import io.hogwild.engine.cache.SharedCache;
import io.hogwild.engine.cache.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Block storage: written once, grown geometrically, accounted, shared by views, promoted. */
class SharedCacheTest {

    private final Transformer model = Golden.model("qwen3-tiny").transformer();

    private HogwildSession combined(AttentionMode mode) {
        HogwildSession s = new HogwildSession(model, mode);
        s.createBlocks(List.of("prompt", "history", "wip_a", "wip_b"));
        s.setView("init", List.of("prompt"));
        s.setView("a", List.of("prompt", "history", "wip_b", "wip_a"));
        s.setView("b", List.of("prompt", "history", "wip_a", "wip_b"));
        return s;
    }

    @Test
    void storageGrowsGeometricallyAndStaysWithinTwiceTheUsedBytes() {
        try (HogwildSession s = combined(AttentionMode.SHARED)) {
            s.prefill("init", new int[] {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, 8);
            KvBlock wip = s.cache().block("wip_a");
            List<Integer> capacities = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                s.forward(List.of(new Write("a", new int[] {30 + i % 100}), new Write("b", new int[] {40})),
                        Transformer.Readout.LAST_PER_WRITER);
                if (capacities.isEmpty() || capacities.get(capacities.size() - 1) != wip.capacity()) {
                    capacities.add(wip.capacity());
                }
                // The storage holds the tokens, headroom for the blocks that grow (1.5x on growth), and holes left by
                // moved blocks only up to a bound (64 columns or a quarter of the tokens) before it packs them.
                long slack = 3L * 64 * s.cache().bytesPerToken();
                assertThat(s.cache().allocatedBytes()).isLessThanOrEqualTo(2 * s.cache().usedBytes() + slack);
            }
            assertThat(s.cache().allocatedBytes()).isLessThanOrEqualTo(2 * s.cache().usedBytes());
            // 300 appends took only a handful of reallocations (geometric growth), not one per step.
            assertThat(capacities.size()).isLessThan(12);
            for (int i = 1; i < capacities.size(); i++) {
                assertThat(capacities.get(i)).isGreaterThanOrEqualTo((int) (capacities.get(i - 1) * 1.5));
            }
            assertThat(wip.length()).isEqualTo(300);
            assertThat(s.cache().usedBytes()).isEqualTo((19 + 600) * s.cache().bytesPerToken());
        }
    }

    @Test
    void passesReadLittleBeyondTheTokensInCombinedAndIndependentLayouts() {
        // combined: the steps float (each worker sees the other's before its own), the history grows by promotion;
        // independent: every block is aligned and several grow at once.
        for (boolean combined : new boolean[] {true, false}) {
            try (HogwildSession s = new HogwildSession(model, AttentionMode.SHARED)) {
                s.createBlocks(List.of("prompt", "history_a", "history_b", "wip_a", "wip_b"));
                s.setView("init", List.of("prompt"));
                s.setView("a", combined ? List.of("prompt", "history_a", "wip_b", "wip_a")
                        : List.of("prompt", "history_a", "wip_a"));
                s.setView("b", combined ? List.of("prompt", "history_a", "wip_a", "wip_b")
                        : List.of("prompt", "history_b", "wip_b"));
                s.prefill("init", java.util.stream.IntStream.range(5, 105).toArray(), 32);
                int worst = 0;
                for (int i = 0; i < 400; i++) {
                    s.forward(List.of(new Write("a", new int[] {30 + i % 100}), new Write("b", new int[] {40})),
                            Transformer.Readout.LAST_PER_WRITER);
                    if (i % 25 == 24) {
                        s.promote("wip_a", "history_a");
                        s.promote("wip_b", combined ? "history_a" : "history_b");
                    }
                    long tokens = s.cache().usedBytes() / s.cache().bytesPerToken();
                    worst = Math.max(worst, (int) (s.cache().readColumns() - tokens));
                    // Holes are packed at a quarter of the tokens; headroom of growing blocks is 1.5x at most.
                    assertThat((long) s.cache().readColumns()).as("pass %d", i).isLessThanOrEqualTo(2 * tokens + 64);
                }
                assertThat(worst).isPositive();
            }
        }
    }

    @Test
    void sharedBlocksAreStoredOnceWhateverTheNumberOfReaders() {
        try (HogwildSession s = combined(AttentionMode.SHARED)) {
            s.prefill("init", new int[] {5, 6, 7, 8, 9, 10, 11, 12}, 64);
            long before = s.cache().usedBytes();
            s.forward(List.of(new Write("a", new int[] {30}), new Write("b", new int[] {31})), Transformer.Readout.ALL);
            // Two workers both read the 8-token prompt, but only their own new token adds bytes.
            assertThat(s.cache().usedBytes() - before).isEqualTo(2 * s.cache().bytesPerToken());
            assertThat(s.cache().view("a").get(0)).isSameAs(s.cache().view("b").get(0));
        }
    }

    @Test
    void promotionMovesEntriesAndEmptiesTheSource() {
        try (HogwildSession s = combined(AttentionMode.SHARED)) {
            s.prefill("init", new int[] {5, 6, 7}, 64);
            s.forward(List.of(new Write("a", new int[] {30, 31, 32}), new Write("b", new int[] {40})), Transformer.Readout.ALL);
            s.promote("wip_a", "history");
            assertThat(s.cache().block("wip_a").length()).isZero();
            assertThat(s.cache().block("history").length()).isEqualTo(3);
            s.forward(List.of(new Write("a", new int[] {33})), Transformer.Readout.ALL);
            s.promote("wip_a", "history");
            assertThat(s.cache().block("history").length()).isEqualTo(4);
        }
    }

    @Test
    void promotedKeysScoreLikeFreshlyWrittenOnes() {
        // Writing tokens straight into the history must equal writing them in a step block and promoting it.
        int[] prompt = {5, 6, 7, 8};
        int[] step = {30, 31, 32};
        float[] viaPromotion;
        float[] direct;
        try (HogwildSession s = combined(AttentionMode.SHARED)) {
            s.prefill("init", prompt, 64);
            s.forward(List.of(new Write("a", step)), Transformer.Readout.ALL);
            s.promote("wip_a", "history");
            viaPromotion = s.forward(List.of(new Write("b", new int[] {50})), Transformer.Readout.ALL).get("b")[0];
        }
        try (HogwildSession s = new HogwildSession(model, AttentionMode.SHARED)) {
            s.createBlocks(List.of("prompt", "history", "wip_b"));
            s.setView("init", List.of("prompt"));
            s.setView("writer", List.of("prompt", "history"));
            s.setView("b", List.of("prompt", "history", "wip_b"));
            s.prefill("init", prompt, 64);
            s.forward(List.of(new Write("writer", step)), Transformer.Readout.ALL);
            direct = s.forward(List.of(new Write("b", new int[] {50})), Transformer.Readout.ALL).get("b")[0];
        }
        for (int i = 0; i < direct.length; i++) {
            assertThat(viaPromotion[i]).isCloseTo(direct[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    /**
     * A partial promotion (the finished step and its closing token leave the step block, the next step's prefix that
     * was written in the same pass stays and moves to the block's start) scores exactly like a session that wrote the
     * finished step straight into the history and the prefix into the step block; naive and shared attention agree.
     */
    @Test
    void partialPromotionScoresLikeTokensWrittenWhereTheyEndUp() {
        int[] prompt = {5, 6, 7, 8, 9};
        int[] step = {30, 31, 32};
        int[] closingAndPrefix = {33, 40, 41, 42};
        Map<AttentionMode, Map<String, float[][]>> promoted = new java.util.EnumMap<>(AttentionMode.class);
        for (AttentionMode mode : AttentionMode.values()) {
            try (HogwildSession s = combined(mode)) {
                s.prefill("init", prompt, 64);
                s.forward(List.of(new Write("a", step)), Transformer.Readout.ALL);
                s.forward(List.of(new Write("a", closingAndPrefix)), Transformer.Readout.ALL);
                s.promote("wip_a", "history", step.length + 1);
                assertThat(s.cache().block("history").length()).isEqualTo(4);
                assertThat(s.cache().block("wip_a").length()).isEqualTo(3);
                promoted.put(mode, s.forward(List.of(new Write("a", new int[] {43}), new Write("b", new int[] {62})),
                        Transformer.Readout.ALL));
            }
        }
        Map<String, float[][]> direct;
        try (HogwildSession s = new HogwildSession(model, AttentionMode.SHARED)) {
            s.createBlocks(List.of("prompt", "history", "wip_a", "wip_b"));
            s.setView("init", List.of("prompt"));
            s.setView("writer", List.of("prompt", "history"));
            s.setView("a", List.of("prompt", "history", "wip_b", "wip_a"));
            s.setView("b", List.of("prompt", "history", "wip_a", "wip_b"));
            s.prefill("init", prompt, 64);
            s.forward(List.of(new Write("writer", step)), Transformer.Readout.ALL);
            s.forward(List.of(new Write("writer", new int[] {33})), Transformer.Readout.ALL);
            s.forward(List.of(new Write("a", new int[] {40, 41, 42})), Transformer.Readout.ALL);
            direct = s.forward(List.of(new Write("a", new int[] {43}), new Write("b", new int[] {62})),
                    Transformer.Readout.ALL);
        }
        for (String worker : List.of("a", "b")) {
            float[] shared = promoted.get(AttentionMode.SHARED).get(worker)[0];
            float[] naive = promoted.get(AttentionMode.NAIVE).get(worker)[0];
            float[] written = direct.get(worker)[0];
            for (int i = 0; i < shared.length; i++) {
                assertThat(shared[i]).as("%s shared vs naive", worker)
                        .isCloseTo(naive[i], org.assertj.core.data.Offset.offset(1e-4f));
                assertThat(shared[i]).as("%s promoted vs written in place", worker)
                        .isCloseTo(written[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void sharedAndNaiveModesAgreeOnALongRandomRun() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        try (HogwildSession shared = combined(AttentionMode.SHARED);
             HogwildSession naive = combined(AttentionMode.NAIVE)) {
            int[] prompt = r.ints(40, 3, 500).toArray();
            shared.prefill("init", prompt, 16);
            naive.prefill("init", prompt, 16);
            for (int i = 0; i < 60; i++) {
                List<Write> writes = List.of(new Write("a", new int[] {r.nextInt(3, 500)}),
                        new Write("b", new int[] {r.nextInt(3, 500)}));
                Map<String, float[][]> x = shared.forward(writes, Transformer.Readout.ALL);
                Map<String, float[][]> y = naive.forward(writes, Transformer.Readout.ALL);
                for (String w : List.of("a", "b")) {
                    for (int c = 0; c < x.get(w)[0].length; c++) {
                        assertThat(x.get(w)[0][c]).isCloseTo(y.get(w)[0][c], org.assertj.core.data.Offset.offset(1e-3f));
                    }
                }
                if (i % 15 == 14) {
                    shared.promote(i % 2 == 0 ? "wip_a" : "wip_b", "history");
                    naive.promote(i % 2 == 0 ? "wip_a" : "wip_b", "history");
                }
            }
        }
    }

    @Test
    void invalidUseIsRejectedClearly() {
        try (HogwildSession s = combined(AttentionMode.SHARED)) {
            assertThatThrownBy(() -> s.forward(List.of(new Write("nobody", new int[] {1})), Transformer.Readout.ALL))
                    .hasMessageContaining("nobody");
            assertThatThrownBy(() -> s.setView("c", List.of("prompt", "missing"))).hasMessageContaining("missing");
            assertThatThrownBy(() -> s.setView("c", List.of("prompt", "prompt"))).hasMessageContaining("twice");
            assertThatThrownBy(() -> s.createBlocks(List.of("prompt"))).hasMessageContaining("already exists");
            assertThatThrownBy(() -> s.forward(List.of(new Write("a", new int[] {1}), new Write("a", new int[] {2})),
                    Transformer.Readout.ALL)).hasMessageContaining("twice");
            assertThatThrownBy(() -> s.promote("wip_a", "wip_a")).hasMessageContaining("itself");
            assertThatThrownBy(() -> s.promote("wip_a", "history", 1)).hasMessageContaining("holds 0");
            assertThatThrownBy(() -> new Write("a", new int[0])).hasMessageContaining("no tokens");
        }
    }

    @Test
    void cacheAccountsBytesPerToken() {
        try (SharedCache c = new SharedCache(model.manager(), model.config(), model.cacheDataType())) {
            var cfg = model.config();
            assertThat(c.bytesPerToken()).isEqualTo(2L * cfg.numLayers() * cfg.numKvHeads() * cfg.headDim() * 4);
            c.createBlock("x");
            c.fillRandom("x", 100);
            assertThat(c.usedBytes()).isEqualTo(100 * c.bytesPerToken());
            assertThat(c.allocatedBytes()).isEqualTo(100 * c.bytesPerToken());
        }
    }
}
