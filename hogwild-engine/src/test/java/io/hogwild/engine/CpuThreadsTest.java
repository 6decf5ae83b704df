package io.hogwild.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import io.hogwild.engine.model.Architecture;
import io.hogwild.engine.model.ModelConfig;
import io.hogwild.engine.rope.RopeScaling;
import io.hogwild.engine.tensor.CpuThreads;
import org.junit.jupiter.api.Test;

/** A small model runs its CPU operators on one thread, a large one on libtorch's default count. */
class CpuThreadsTest {

    @Test
    void aSmallModelGetsOneThreadAndALargeOneTheDefault() {
        assumeTrue(System.getProperty("ai.djl.pytorch.num_threads") == null,
                "the thread count was set explicitly, which the engine leaves alone");
        ModelConfig large = new ModelConfig(Architecture.QWEN3, 1024, 4096, 4, 8, 8, 128, 8192, 1e-6, false, 4096,
                RopeScaling.plain(10_000), null);
        assertThat(large.weightCount() * 4).isGreaterThan(CpuThreads.SMALL_MODEL_BYTES);
        ModelConfig small = new ModelConfig(Architecture.QWEN3, 64, 176, 3, 4, 2, 32, 512, 1e-6, false, 4096,
                RopeScaling.plain(10_000), null);
        assertThat(small.weightCount() * 4).isLessThan(CpuThreads.SMALL_MODEL_BYTES);
        try (Transformer model = Transformer.random(small, Device.cpu(), 1)) {
            assertThat(JniUtils.getNumThreads()).isEqualTo(1);
        }
        try (Transformer model = Transformer.random(large, Device.cpu(), 1)) {
            assertThat(JniUtils.getNumThreads()).isEqualTo(CpuThreads.libtorchDefault());
        }
        try (Transformer model = Transformer.random(small, Device.cpu(), 1)) {
            assertThat(JniUtils.getNumThreads()).isEqualTo(1);
        }
    }
}
