package io.hogwild.demo.checkpoint;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import io.hogwild.demo.train.DemoModelShape;
import io.hogwild.demo.train.TrainableTransformer;
import io.hogwild.engine.model.SafeTensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face Llama (or Qwen3) checkpoint: {@code config.json}, {@code generation_config.json},
 * safetensors (F32).
 */
public final class CheckpointWriter {

    private CheckpointWriter() {
    }

    /** A named float32 tensor in row-major order. */
    public record Tensor(String name, long[] shape, float[] values) {}

    /** The model's current parameters as a checkpoint (tied embeddings: no separate output head). */
    public static void write(Path dir, TrainableTransformer model, Map<String, Object> trainingInfo) {
        List<Tensor> tensors = new java.util.ArrayList<>();
        model.parameters().forEach((name, array) -> tensors.add(
                new Tensor(name, array.getShape().getShape(), array.toFloatArray())));
        write(dir, model.shape(), tensors, trainingInfo);
    }

    public static void write(Path dir, DemoModelShape shape, List<Tensor> tensors, Map<String, Object> trainingInfo) {
        try {
            Files.createDirectories(dir);
            ObjectMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
            json.writeValue(dir.resolve("config.json").toFile(), config(shape, trainingInfo));
            Map<String, Object> generation = new LinkedHashMap<>();
            generation.put("eos_token_id", DemoTokenizerFiles.EOS_ID);
            generation.put("pad_token_id", 0);
            generation.put("do_sample", false);
            json.writeValue(dir.resolve("generation_config.json").toFile(), generation);
            writeSafetensors(dir.resolve("model.safetensors"), tensors);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint to " + dir, e);
        }
    }

    static Map<String, Object> config(DemoModelShape shape, Map<String, Object> trainingInfo) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(shape.qkNorm() ? "Qwen3ForCausalLM" : "LlamaForCausalLM"));
        c.put("model_type", shape.qkNorm() ? "qwen3" : "llama");
        c.put("attention_bias", false);
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", null);
        c.put("eos_token_id", DemoTokenizerFiles.EOS_ID);
        c.put("pad_token_id", 0);
        c.put("head_dim", shape.headDim());
        c.put("hidden_act", "silu");
        c.put("mlp_bias", false);
        c.put("hidden_size", shape.hidden());
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", shape.intermediate());
        c.put("max_position_embeddings", shape.contextLimit());
        c.put("num_attention_heads", shape.heads());
        c.put("num_hidden_layers", shape.layers());
        c.put("num_key_value_heads", shape.kvHeads());
        c.put("rms_norm_eps", shape.rmsNormEps());
        c.put("rope_theta", shape.ropeTheta());
        c.put("rope_scaling", null);
        c.put("sliding_window", null);
        c.put("use_sliding_window", false);
        c.put("tie_word_embeddings", true);
        c.put("torch_dtype", "float32");
        c.put("use_cache", true);
        c.put("vocab_size", shape.vocabSize());
        c.put("hogwild_demo", trainingInfo);
        return c;
    }

    /** The training record ({@code hogwild_demo} in {@code config.json}) of a checkpoint this class wrote. */
    public static Object trainingInfo(Path modelDir) {
        try {
            return new ObjectMapper().readValue(modelDir.resolve("config.json").toFile(), Map.class)
                    .get("hogwild_demo");
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("cannot read " + modelDir.resolve("config.json") + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The parameters, in order, as one F32 safetensors file (the engine's own writer). */
    static void writeSafetensors(Path file, List<Tensor> tensors) throws IOException {
        Map<String, SafeTensorsWriter.Tensor> out = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            out.put(t.name(), SafeTensorsWriter.Tensor.f32(t.shape(), t.values()));
        }
        SafeTensorsWriter.write(file, out);
    }
}
