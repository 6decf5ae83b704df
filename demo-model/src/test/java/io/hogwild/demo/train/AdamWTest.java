package io.hogwild.demo.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    @Test
    void movesAgainstTheGradientAndClearsIt() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.create(new float[] {1f, -2f});
            w.setRequiresGradient(true);
            AdamW adam = new AdamW(0.9, 0.98, 1e-8, 0);
            for (int i = 0; i < 2; i++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        loss = w.square().sum();
                        collector.backward(loss);
                    }
                    assertThat(w.getGradient().toFloatArray()).as("gradient of this step only")
                            .containsExactly(2 * w.toFloatArray()[0], 2 * w.toFloatArray()[1]);
                    assertThat(adam.step(Map.of("w", w), 0.1, 100, step)).isTrue();
                }
            }
            assertThat(w.toFloatArray()[0]).isLessThan(1f);
            assertThat(w.toFloatArray()[1]).isGreaterThan(-2f);
        }
    }

    @Test
    void skipsANonFiniteGradientAndRecovers() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.create(new float[] {1f, 2f});
            w.setRequiresGradient(true);
            AdamW adam = new AdamW(0.9, 0.98, 1e-8, 0.1);
            try (NDManager step = manager.newSubManager()) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(w.mul(Float.POSITIVE_INFINITY).sum());
                }
                assertThat(adam.step(Map.of("w", w), 0.1, 1, step)).isFalse();
            }
            assertThat(w.toFloatArray()).containsExactly(1f, 2f);
            assertThat(adam.skipped()).isEqualTo(1);
            try (NDManager step = manager.newSubManager()) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(w.sum());
                }
                assertThat(w.getGradient().toFloatArray()).containsExactly(1f, 1f);
                assertThat(adam.step(Map.of("w", w), 0.1, 1, step)).isTrue();
            }
            assertThat(w.toFloatArray()[0]).isLessThan(1f);
        }
    }
}
