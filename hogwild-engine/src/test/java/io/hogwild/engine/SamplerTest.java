package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.engine.sampling.Sampler;
import io.hogwild.engine.sampling.SamplingParams;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 2f, 0.5f, 2.9f};

    @Test
    void greedyTakesTheArgMaxAndSkipsBannedTokens() {
        assertThat(new Sampler(SamplingParams.greedy()).next(LOGITS)).isEqualTo(1);
        assertThat(new Sampler(SamplingParams.greedy().withBanned(Set.of(1))).next(LOGITS)).isEqualTo(4);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        SamplingParams p = new SamplingParams(1.0, 0, 1, 42, Set.of());
        Sampler a = new Sampler(p);
        Sampler b = new Sampler(p);
        Sampler c = new Sampler(p.withSeed(43));
        StringBuilder sa = new StringBuilder();
        StringBuilder sb = new StringBuilder();
        StringBuilder sc = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sa.append(a.next(LOGITS));
            sb.append(b.next(LOGITS));
            sc.append(c.next(LOGITS));
        }
        assertThat(sa.toString()).isEqualTo(sb.toString()).isNotEqualTo(sc.toString());
    }

    @Test
    void topKAndTopPRestrictTheCandidates() {
        Map<Integer, Integer> topK = histogram(new SamplingParams(1.0, 2, 1, 1, Set.of()), 2000);
        assertThat(topK.keySet()).containsExactlyInAnyOrder(1, 4);
        // softmax of LOGITS: token 1 ~ 0.37, token 4 ~ 0.34, token 2 ~ 0.14 ...: p=0.5 keeps tokens 1 and 4.
        Map<Integer, Integer> topP = histogram(new SamplingParams(1.0, 0, 0.5, 1, Set.of()), 2000);
        assertThat(topP.keySet()).containsExactlyInAnyOrder(1, 4);
        Map<Integer, Integer> banned = histogram(new SamplingParams(1.0, 2, 1, 1, Set.of(1)), 2000);
        assertThat(banned.keySet()).containsExactlyInAnyOrder(4, 2);
    }

    @Test
    void temperatureSharpensTheDistribution() {
        Map<Integer, Integer> hot = histogram(new SamplingParams(2.0, 0, 1, 5, Set.of()), 4000);
        Map<Integer, Integer> cold = histogram(new SamplingParams(0.2, 0, 1, 5, Set.of()), 4000);
        assertThat(cold.getOrDefault(3, 0)).isLessThan(hot.getOrDefault(3, 0));
        assertThat(cold.get(1)).isGreaterThan(hot.get(1));
        // Frequencies follow softmax(logits / T): at T = 2, token 1 vs token 0 is exp(1) ~ 2.7 times as likely.
        double ratio = (double) hot.get(1) / hot.get(0);
        assertThat(ratio).isBetween(2.2, 3.3);
    }

    @Test
    void topIndicesFindsTheLargestInOrderOnALargeVocabulary() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        float[] logits = new float[150_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian();
        }
        logits[123_456] = 30f;
        logits[77] = 29f;
        Sampler s = new Sampler(new SamplingParams(1.0, 0, 0.999, 1, Set.of()));
        assertThat(List.of(s.next(logits), s.next(logits), s.next(logits))).allMatch(t -> t == 123_456 || t == 77);
    }

    @Test
    void invalidParametersAreRejected() {
        assertThatThrownBy(() -> new SamplingParams(-1, 0, 1, 0, Set.of())).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingParams(1, -1, 1, 0, Set.of())).hasMessageContaining("top_k");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 0, 0, Set.of())).hasMessageContaining("top_p");
        assertThatThrownBy(() -> new Sampler(SamplingParams.greedy().withBanned(Set.of(0, 1, 2, 3, 4))).next(LOGITS))
                .hasMessageContaining("banned");
    }

    private static Map<Integer, Integer> histogram(SamplingParams p, int n) {
        Sampler s = new Sampler(p);
        Map<Integer, Integer> h = new HashMap<>();
        for (int i = 0; i < n; i++) {
            h.merge(s.next(LOGITS), 1, Integer::sum);
        }
        return h;
    }
}
