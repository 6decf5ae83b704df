package io.hogwild.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.model.CheckpointException;
import io.hogwild.engine.model.SafeTensors;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The dtype the engine computes in: of the weight matrices, of the cache, of attention's operands (RMSNorm, the
 * attention softmax and the logits are float32 whatever it is). float32, or 16 bits: float16 anywhere, bfloat16 on
 * a GPU only (DJL crashes the JVM on any bfloat16 array on the CPU, so a bfloat16 checkpoint is widened while it
 * loads there).
 */
public final class ComputeDtype {

    private ComputeDtype() {}

    /** {@code float32}, {@code float16} or {@code bfloat16} (also {@code fp32}, {@code fp16}, {@code bf16}). */
    public static DataType parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32":
                return DataType.FLOAT32;
            case "float16", "fp16", "f16", "half":
                return DataType.FLOAT16;
            case "bfloat16", "bf16":
                return DataType.BFLOAT16;
            default:
                throw new IllegalArgumentException("unknown dtype '" + name + "' (expected float32, float16 or bfloat16)");
        }
    }

    /** float32 on the CPU; on a GPU, the checkpoint's own floating-point dtype. */
    public static DataType defaultFor(Device device, Path modelDir) {
        if (!device.isGpu()) {
            return DataType.FLOAT32;
        }
        try (SafeTensors st = SafeTensors.open(modelDir)) {
            String stored = st.entry(st.names().iterator().next()).dtype();
            return switch (stored) {
                case "BF16" -> DataType.BFLOAT16;
                case "F16" -> DataType.FLOAT16;
                default -> DataType.FLOAT32;
            };
        } catch (CheckpointException e) {
            return DataType.FLOAT32; // the load that follows reports what is wrong with the checkpoint
        }
    }

    /** Refuses what cannot run: bfloat16 on the CPU, or a dtype that is no floating-point compute dtype. */
    public static void check(DataType dtype, Device device) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16) {
            throw new IllegalArgumentException("compute dtype must be float32, float16 or bfloat16, got " + dtype);
        }
        if (dtype == DataType.BFLOAT16 && !device.isGpu()) {
            throw new IllegalArgumentException("bfloat16 runs on a GPU only (DJL cannot hold bfloat16 arrays on the"
                    + " CPU); use float16 or float32 there");
        }
    }

    /** The name the CLI and the service use for {@code dtype}. */
    public static String name(DataType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            default -> dtype.name().toLowerCase(Locale.ROOT);
        };
    }
}
