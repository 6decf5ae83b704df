package io.hogwild.worker.served;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.hogwild.engine.Golden;
import io.hogwild.worker.config.ModelProperties;
import io.hogwild.worker.config.WorkerProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** {@code hogwild.worker.dtype} reaches the engine: the model computes, and the cache stores, in that dtype. */
class ServedModelTest {

    private static WorkerProperties worker(String dtype) {
        return new WorkerProperties(null, null, "cpu", dtype, 4, 512, DataSize.ofGigabytes(2), DataSize.ofMegabytes(256),
                Duration.ofSeconds(2), Duration.ofSeconds(10), "hogwild:workers:", false, 100_000, 32,
                Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private static ModelProperties qwen3Tiny() {
        return new ModelProperties(Golden.dir("qwen3-tiny").toString(), null);
    }

    @Test
    void float16ComputesAndCachesInHalfTheBytes() {
        try (ServedModel half = new ServedModel(qwen3Tiny(), worker("float16"));
             ServedModel auto = new ServedModel(qwen3Tiny(), worker("auto"))) {
            assertThat(half.languageModel().transformer().dtype()).isEqualTo(DataType.FLOAT16);
            // On the CPU, auto is float32.
            assertThat(auto.languageModel().transformer().dtype()).isEqualTo(DataType.FLOAT32);
            assertThat(half.bytesPerToken() * 2).isEqualTo(auto.bytesPerToken());
        }
    }

    @Test
    void unknownOrUnsupportedDtypesStopTheServiceWithTheSettingsName() {
        assertThatThrownBy(() -> new ServedModel(qwen3Tiny(), worker("float8")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hogwild.worker.dtype");
        // DJL cannot hold bfloat16 arrays on the CPU: refused before anything is loaded.
        assertThatThrownBy(() -> new ServedModel(qwen3Tiny(), worker("bfloat16")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GPU");
    }
}
