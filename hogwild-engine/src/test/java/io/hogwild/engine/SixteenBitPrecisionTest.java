package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.model.SafeTensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 16-bit path keeps RMSNorm, the per-head q/k norm and the attention softmax in float32. The checkpoint here has
 * hidden states and q/k heads whose squares (and whose residual norms) are far beyond float16's range, and attention
 * scores whose exponentials overflow float16: the same function as far as float32 is concerned (RMSNorm does not
 * care about scale), but any of those reductions done in 16 bits gives infinities, and the logits go wrong.
 */
class SixteenBitPrecisionTest {

    /** Largest finite float16. */
    private static final float HALF_MAX = 65504f;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(AttentionMode.class)
    void hugeActivationsKeepFloat16LogitsCloseToFloat32(AttentionMode mode) throws IOException {
        Path dir = hugeActivationsCheckpoint();
        int[] ids = Golden.ints(Golden.expected("qwen3-tiny").path("sequences").path("long").path("ids"));
        float[][] reference = logits(dir, DataType.FLOAT32, ids, mode);
        float[][] half = logits(dir, DataType.FLOAT16, ids, mode);
        double worst = 0;
        for (int r = 0; r < reference.length; r++) {
            for (int c = 0; c < reference[r].length; c++) {
                assertThat(half[r][c]).as("row %d logit %d", r, c).isFinite();
                worst = Math.max(worst, Math.abs(half[r][c] - reference[r][c]));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(Golden.TOLERANCE_16_BIT);
    }

    private static float[][] logits(Path dir, DataType dtype, int[] ids, AttentionMode mode) {
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu(), dtype);
             HogwildSession s = new HogwildSession(m.transformer(), mode)) {
            s.createBlocks(List.of("all"));
            s.setView("solo", List.of("all"));
            return s.forward(List.of(new Write("solo", ids)), Transformer.Readout.ALL).get("solo");
        }
    }

    /**
     * qwen3-tiny with its embeddings times 3e4 (hidden states of about 1e4: squares near 1e8, a norm over 64 features
     * near 8e4), its q/k projections times 1e3 (q/k heads of about 1e3: squares near 1e6), and its q-norm weight
     * times 4 (attention scores whose exponentials pass 65504).
     */
    private Path hugeActivationsCheckpoint() throws IOException {
        Path src = Golden.dir("qwen3-tiny");
        Map<String, SafeTensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        float largestEmbedding = 0;
        for (var e : CheckpointFixtures.readAll(src).entrySet()) {
            String name = e.getKey();
            float factor = name.equals("model.embed_tokens.weight") ? 3e4f
                    : name.endsWith("q_proj.weight") || name.endsWith("k_proj.weight") ? 1e3f
                    : name.endsWith("q_norm.weight") ? 4f : 1f;
            SafeTensorsWriter.Tensor scaled = scale(e.getValue(), factor);
            if (name.equals("model.embed_tokens.weight")) {
                largestEmbedding = maxAbs(scaled);
            }
            tensors.put(name, scaled);
        }
        // The premise: squares of the hidden states do not fit in float16.
        assertThat(largestEmbedding * largestEmbedding).isGreaterThan(1000 * HALF_MAX);
        Path dir = tmp.resolve("huge");
        CheckpointFixtures.copyCheckpointFiles(src, dir);
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), tensors);
        return dir;
    }

    private static SafeTensorsWriter.Tensor scale(SafeTensorsWriter.Tensor t, float factor) {
        ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(t.data().length).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putFloat(in.getFloat() * factor);
        }
        return new SafeTensorsWriter.Tensor(t.dtype(), t.shape(), out.array());
    }

    private static float maxAbs(SafeTensorsWriter.Tensor t) {
        ByteBuffer in = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
        float max = 0;
        while (in.hasRemaining()) {
            max = Math.max(max, Math.abs(in.getFloat()));
        }
        return max;
    }
}
