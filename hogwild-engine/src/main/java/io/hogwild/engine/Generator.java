package io.hogwild.engine;

import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.sampling.Sampler;
import io.hogwild.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Plain single-sequence generation through a one-block session: the simplest use of the engine. */
public final class Generator {

    private Generator() {}

    /**
     * Generates up to {@code maxNewTokens} tokens after {@code prompt}, stopping after any of {@code stopTokens}
     * (which is included, as transformers does).
     */
    public static List<Integer> generate(Transformer model, int[] prompt, int maxNewTokens, SamplingParams sampling,
                                         Set<Integer> stopTokens) {
        List<Integer> out = new ArrayList<>();
        if (maxNewTokens <= 0) {
            return out;
        }
        try (HogwildSession session = new HogwildSession(model, AttentionMode.SHARED)) {
            session.createBlocks(List.of("sequence"));
            session.setView("solo", List.of("sequence"));
            Sampler sampler = new Sampler(sampling);
            float[] logits = session.prefill("solo", prompt, HogwildSession.DEFAULT_PREFILL_CHUNK);
            while (true) {
                int next = sampler.next(logits);
                out.add(next);
                if (out.size() >= maxNewTokens || stopTokens.contains(next)) {
                    return out;
                }
                logits = session.forward(List.of(new Write("solo", new int[] {next})), Transformer.Readout.LAST_PER_WRITER)
                        .get("solo")[0];
            }
        }
    }
}
