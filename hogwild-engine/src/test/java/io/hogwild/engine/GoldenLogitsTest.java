package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import tools.jackson.databind.JsonNode;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.sampling.SamplingParams;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine reproduces transformers' logits and greedy tokens on every golden checkpoint, computing in float32
 * (within 1e-3) and in float16 (within 1e-1 of the same float32 references).
 */
class GoldenLogitsTest {

    static Stream<Arguments> sequences() {
        return Stream.of("qwen2-tiny", "qwen3-tiny", "llama3-tiny", "qwen3-tiny-bf16").flatMap(model -> {
            JsonNode seqs = Golden.expected(model).path("sequences");
            return Golden.DTYPES.stream().flatMap(dtype -> Stream.of(AttentionMode.values()).flatMap(mode -> {
                Stream.Builder<Arguments> b = Stream.builder();
                seqs.propertyNames().forEach(name -> b.add(Arguments.of(model, name, mode, dtype)));
                return b.build();
            }));
        });
    }

    static Stream<Arguments> greedyModels() {
        return Stream.of("qwen2-tiny", "qwen3-tiny", "llama3-tiny")
                .flatMap(model -> Golden.DTYPES.stream().map(dtype -> Arguments.of(model, dtype)));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("sequences")
    void sequenceLogitsMatchTransformers(String model, String sequence, AttentionMode mode, DataType dtype) {
        JsonNode seq = Golden.expected(model).path("sequences").path(sequence);
        LanguageModel m = Golden.model(model, dtype);
        try (HogwildSession s = new HogwildSession(m.transformer(), mode)) {
            s.createBlocks(List.of("all"));
            s.setView("solo", List.of("all"));
            float[][] logits = s.forward(List.of(new Write("solo", Golden.ints(seq.path("ids")))),
                    Transformer.Readout.ALL).get("solo");
            assertThat(Golden.maxDiff(seq.path("logits"), logits)).isLessThanOrEqualTo(Golden.tolerance(dtype));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("greedyModels")
    void greedyTokensMatchUpToTheFirstNearTie(String model, DataType dtype) {
        JsonNode g = Golden.expected(model).path("greedy");
        int[] expected = Golden.ints(g.path("new_tokens"));
        // Up to the first near-tie (margin below the logits' tolerance) rounding cannot flip the arg-max; from there
        // on it may.
        int comparable = expected.length;
        for (int i = 0; i < expected.length; i++) {
            if (g.path("top1_top2_margin").get(i).asDouble() < Golden.tolerance(dtype)) {
                comparable = i;
                break;
            }
        }
        List<Integer> got = Generator.generate(Golden.model(model, dtype).transformer(), Golden.ints(g.path("prompt")),
                expected.length, SamplingParams.greedy(), Set.of());
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < comparable; i++) {
            assertThat(got.get(i)).as("token %d", i).isEqualTo(expected[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "llama3-tiny"})
    void inverseFrequenciesMatchTransformers(String model) {
        float[] inv = Golden.model(model).transformer().rope().inverseFrequencies();
        JsonNode expected = Golden.expected(model).path("inv_freq");
        assertThat(inv).hasSize(expected.size());
        for (int i = 0; i < inv.length; i++) {
            assertThat((double) inv[i]).isCloseTo(expected.get(i).asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-4));
        }
    }

    static Stream<Arguments> prefillModels() {
        return Stream.of("qwen3-tiny", "llama3-tiny")
                .flatMap(model -> Golden.DTYPES.stream().map(dtype -> Arguments.of(model, dtype)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("prefillModels")
    void chunkedPrefillEqualsOneShot(String model, DataType dtype) {
        int[] ids = Golden.ints(Golden.expected(model).path("sequences").path("long").path("ids"));
        Transformer t = Golden.model(model, dtype).transformer();
        float[] oneShot;
        float[] chunked;
        try (HogwildSession s = new HogwildSession(t, AttentionMode.SHARED)) {
            s.createBlocks(List.of("p"));
            s.setView("w", List.of("p"));
            oneShot = s.prefill("w", ids, ids.length);
        }
        try (HogwildSession s = new HogwildSession(t, AttentionMode.SHARED)) {
            s.createBlocks(List.of("p"));
            s.setView("w", List.of("p"));
            chunked = s.prefill("w", ids, 7);
        }
        // The same arithmetic in another grouping: float32 agrees to rounding, float16 to its own rounding steps.
        float allowed = dtype == DataType.FLOAT32 ? 1e-4f : 2e-2f;
        for (int i = 0; i < oneShot.length; i++) {
            assertThat(chunked[i]).isCloseTo(oneShot[i], org.assertj.core.data.Offset.offset(allowed));
        }
    }
}
