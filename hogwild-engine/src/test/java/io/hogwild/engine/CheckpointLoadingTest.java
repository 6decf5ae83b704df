package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import io.hogwild.engine.model.CheckpointException;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RopeScaling;
import io.hogwild.engine.model.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint folders in every supported form load; broken ones fail with a message naming file and field. */
class CheckpointLoadingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static float[][] logits(Transformer t, int[] ids) {
        try (HogwildSession s = new HogwildSession(t, AttentionMode.SHARED)) {
            s.createBlocks(List.of("all"));
            s.setView("solo", List.of("all"));
            return s.forward(List.of(new Write("solo", ids)), Transformer.Readout.ALL).get("solo");
        }
    }

    private static int[] shortIds() {
        return Golden.ints(Golden.expected("qwen3-tiny").path("sequences").path("text").path("ids"));
    }

    @Test
    void shardedCheckpointGivesTheSameLogits() throws IOException {
        Path src = Golden.dir("qwen3-tiny");
        Path dir = tmp.resolve("sharded");
        CheckpointFixtures.copyCheckpointFiles(src, dir);
        Map<String, SafeTensorsWriter.Tensor> all = CheckpointFixtures.readAll(src);
        Map<String, SafeTensorsWriter.Tensor> a = new LinkedHashMap<>();
        Map<String, SafeTensorsWriter.Tensor> b = new LinkedHashMap<>();
        ObjectNode index = JSON.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (var e : all.entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? a : b).put(e.getKey(), e.getValue());
            map.put(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafeTensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), a);
        SafeTensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), b);
        JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);

        try (Transformer sharded = Transformer.load(dir, ai.djl.Device.cpu())) {
            assertThat(Golden.maxDiff(Golden.expected("qwen3-tiny").path("sequences").path("text").path("logits"),
                    logits(sharded, shortIds()))).isLessThanOrEqualTo(Golden.TOLERANCE);
        }
    }

    @Test
    void float16CheckpointIsWidenedExactly() throws IOException {
        Path src = Golden.dir("qwen3-tiny");
        Map<String, SafeTensorsWriter.Tensor> all = CheckpointFixtures.readAll(src);
        Map<String, SafeTensorsWriter.Tensor> f16 = new LinkedHashMap<>();
        Map<String, SafeTensorsWriter.Tensor> rounded = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            f16.put(k, CheckpointFixtures.toF16(v));
            rounded.put(k, CheckpointFixtures.halfRoundedF32(v));
        });
        Path half = tmp.resolve("f16");
        Path reference = tmp.resolve("f32-rounded");
        CheckpointFixtures.copyCheckpointFiles(src, half);
        CheckpointFixtures.copyCheckpointFiles(src, reference);
        SafeTensorsWriter.write(half.resolve("model.safetensors"), f16);
        SafeTensorsWriter.write(reference.resolve("model.safetensors"), rounded);
        try (Transformer h = Transformer.load(half, ai.djl.Device.cpu());
             Transformer r = Transformer.load(reference, ai.djl.Device.cpu())) {
            float[][] lh = logits(h, shortIds());
            float[][] lr = logits(r, shortIds());
            for (int row = 0; row < lh.length; row++) {
                assertThat(lh[row]).containsExactly(lr[row]);
            }
        }
    }

    @Test
    void ropeParametersFormIsReadLikeTheClassicForm() {
        ObjectNode c = (ObjectNode) Golden.read(Golden.dir("llama3-tiny").resolve("config.json"));
        ModelConfig classic = ModelConfig.parse(c);
        ObjectNode modern = c.deepCopy();
        ObjectNode params = modern.putObject("rope_parameters");
        params.setAll((ObjectNode) c.get("rope_scaling"));
        params.put("rope_theta", c.get("rope_theta").asDouble());
        modern.remove("rope_scaling");
        modern.remove("rope_theta");
        assertThat(ModelConfig.parse(modern).rope()).isEqualTo(classic.rope());
        assertThat(classic.rope().isLlama3()).isTrue();

        ObjectNode plain = (ObjectNode) Golden.read(Golden.dir("qwen3-tiny").resolve("config.json"));
        plain.remove("rope_scaling");
        plain.remove("rope_theta");
        plain.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 1_000_000.0);
        assertThat(ModelConfig.parse(plain).rope()).isEqualTo(RopeScaling.plain(1_000_000.0));
    }

    @Test
    void unsupportedRopeTypeNamesTheField() {
        ObjectNode c = (ObjectNode) Golden.read(Golden.dir("qwen3-tiny").resolve("config.json"));
        c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
        assertThatThrownBy(() -> ModelConfig.parse(c)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("rope_scaling.rope_type").hasMessageContaining("yarn");
        ObjectNode d = (ObjectNode) Golden.read(Golden.dir("qwen3-tiny").resolve("config.json"));
        d.remove("rope_scaling");
        d.putObject("rope_parameters").put("rope_type", "dynamic");
        assertThatThrownBy(() -> ModelConfig.parse(d)).hasMessageContaining("rope_parameters.rope_type");
    }

    @Test
    void unsupportedArchitectureIsRefusedByName() {
        ObjectNode c = (ObjectNode) Golden.read(Golden.dir("qwen3-tiny").resolve("config.json"));
        c.putArray("architectures").add("MistralForCausalLM");
        assertThatThrownBy(() -> ModelConfig.parse(c)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("MistralForCausalLM").hasMessageContaining("architectures");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> LanguageModel.load(empty)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json");
        Path noWeights = tmp.resolve("noweights");
        CheckpointFixtures.copyCheckpointFiles(Golden.dir("qwen3-tiny"), noWeights);
        assertThatThrownBy(() -> LanguageModel.load(noWeights)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors");
        assertThatThrownBy(() -> LanguageModel.load(tmp.resolve("nowhere"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void missingOrMisShapedTensorIsNamed() throws IOException {
        Path src = Golden.dir("qwen3-tiny");
        Map<String, SafeTensorsWriter.Tensor> all = CheckpointFixtures.readAll(src);

        Path missing = tmp.resolve("missing");
        CheckpointFixtures.copyCheckpointFiles(src, missing);
        Map<String, SafeTensorsWriter.Tensor> without = new LinkedHashMap<>(all);
        without.remove("model.layers.1.self_attn.k_norm.weight");
        SafeTensorsWriter.write(missing.resolve("model.safetensors"), without);
        assertThatThrownBy(() -> Transformer.load(missing, ai.djl.Device.cpu())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.layers.1.self_attn.k_norm.weight");

        Path misShaped = tmp.resolve("misshaped");
        CheckpointFixtures.copyCheckpointFiles(src, misShaped);
        Map<String, SafeTensorsWriter.Tensor> wrong = new LinkedHashMap<>(all);
        SafeTensorsWriter.Tensor q = all.get("model.layers.0.self_attn.q_proj.weight");
        wrong.put("model.layers.0.self_attn.q_proj.weight",
                new SafeTensorsWriter.Tensor(q.dtype(), new long[] {q.shape()[1], q.shape()[0]}, q.data()));
        SafeTensorsWriter.write(misShaped.resolve("model.safetensors"), wrong);
        assertThatThrownBy(() -> Transformer.load(misShaped, ai.djl.Device.cpu())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.layers.0.self_attn.q_proj.weight").hasMessageContaining("expected")
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void corruptSafetensorsHeaderIsReported() throws IOException {
        Path dir = tmp.resolve("corrupt");
        CheckpointFixtures.copyCheckpointFiles(Golden.dir("qwen3-tiny"), dir);
        Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Transformer.load(dir, ai.djl.Device.cpu())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void halfToFloatHandlesEveryClassOfValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float expected = CheckpointFixtures.halfToFloatReference(h);
            float actual = io.hogwild.engine.model.SafeTensorsAccess.halfToFloat(h);
            if (Float.isNaN(expected)) {
                assertThat(actual).isNaN();
            } else {
                assertThat(actual).as("half bits %04x", bits).isEqualTo(expected);
            }
        }
    }
}
