package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A session whose prompt starts with tokens another session computed copies their keys and values
 * ({@link PrefixCache}) and then behaves exactly like one that computed them itself.
 */
class PrefixReuseTest {

    static final Transformer MODEL = Golden.model("qwen3-tiny").transformer();
    static final int[] TEMPLATE = IntStream.range(0, 40).map(i -> 5 + (i * 37) % 300).toArray();

    static int[] prompt(int problemSeed) {
        int[] problem = IntStream.range(0, 23).map(i -> 7 + (problemSeed * 31 + i * 13) % 250).toArray();
        int[] out = new int[TEMPLATE.length + problem.length];
        System.arraycopy(TEMPLATE, 0, out, 0, TEMPLATE.length);
        System.arraycopy(problem, 0, out, TEMPLATE.length, problem.length);
        return out;
    }

    /** A session with a prompt block and two workers' step blocks; the prompt prefilled, reusing what it can. */
    static HogwildSession session(int[] prompt, PrefixCache cache, int chunk) {
        HogwildSession s = new HogwildSession(MODEL, AttentionMode.SHARED);
        s.createBlocks(List.of("prompt", "step-a", "step-b"));
        s.setView("init", List.of("prompt"));
        int from = 0;
        if (cache != null) {
            var lease = cache.lookup(prompt);
            if (lease.isPresent()) {
                try (var l = lease.get()) {
                    s.cache().copyIn("prompt", l.segment(), l.tokens());
                    from = l.tokens();
                }
            }
        }
        s.prefill("init", java.util.Arrays.copyOfRange(prompt, from, prompt.length), chunk);
        if (cache != null && from == 0) {
            cache.offer(prompt, prompt.length * s.cache().bytesPerToken(),
                    into -> s.cache().copyOut("prompt", prompt.length, into));
        }
        s.setView("a", List.of("prompt", "step-b", "step-a"));
        s.setView("b", List.of("prompt", "step-a", "step-b"));
        return s;
    }

    static Map<String, float[][]> decode(HogwildSession s) {
        Map<String, float[][]> last = null;
        for (int i = 0; i < 4; i++) {
            last = s.forward(List.of(new Write("a", new int[] {11 + i, 12}), new Write("b", new int[] {40 + i})),
                    Transformer.Readout.ALL);
        }
        return last;
    }

    @Test
    void aSessionOnACachedPrefixComputesTheLogitsOfOneThatPrefilledIt() {
        try (PrefixCache cache = new PrefixCache(MODEL, 64L << 20)) {
            long bytesPerToken;
            try (HogwildSession first = session(prompt(1), cache, 16)) {
                assertThat(cache.entries()).isOne();
                bytesPerToken = first.cache().bytesPerToken();
            }
            int[] second = prompt(2);
            try (HogwildSession reused = session(second, cache, 16);
                 HogwildSession computed = session(second, null, 16)) {
                assertThat(cache.reusedTokens()).isEqualTo(TEMPLATE.length);
                Map<String, float[][]> expected = decode(computed);
                Map<String, float[][]> actual = decode(reused);
                for (String worker : List.of("a", "b")) {
                    for (int r = 0; r < expected.get(worker).length; r++) {
                        float[] e = expected.get(worker)[r];
                        float[] a = actual.get(worker)[r];
                        for (int v = 0; v < e.length; v++) {
                            assertThat((double) a[v]).as("%s row %d logit %d", worker, r, v)
                                    .isCloseTo(e[v], org.assertj.core.data.Offset.offset(1e-5));
                        }
                    }
                }
            }
            // The first session's whole prompt was cut down to what the two share: the template, kept for the rest.
            assertThat(cache.entries()).isOne();
            assertThat(cache.bytes()).isEqualTo(TEMPLATE.length * bytesPerToken);
        }
    }

    @Test
    void evictionFreesTheLeastRecentlyUsedUnreferencedEntries() {
        try (PrefixCache cache = new PrefixCache(MODEL, 64L << 20)) {
            int[] other = IntStream.range(0, 30).map(i -> 300 + i).toArray();
            session(prompt(1), cache, 64).close();
            session(other, cache, 64).close();
            assertThat(cache.entries()).isEqualTo(2);
            long both = cache.bytes();
            var lease = cache.lookup(other).orElseThrow();
            assertThat(cache.evictDownTo(0)).as("a referenced entry stays").isFalse();
            assertThat(cache.entries()).isOne();
            assertThat(cache.bytes()).isLessThan(both);
            lease.close();
            assertThat(cache.evictDownTo(0)).isTrue();
            assertThat(cache.entries()).isZero();
        }
    }
}
