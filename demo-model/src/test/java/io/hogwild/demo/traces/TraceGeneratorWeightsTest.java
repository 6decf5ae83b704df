package io.hogwild.demo.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.problems.ProblemGenerator;
import io.hogwild.demo.train.DemoModelShape;
import io.hogwild.demo.train.Trainer;
import io.hogwild.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker-count mix of the traces follows the weights it is given (`demo-model train --worker-weights`). */
class TraceGeneratorWeightsTest {

    @TempDir
    Path dir;

    private Map<Integer, Integer> workerCounts(List<Integer> weights, int runs) {
        DemoTokenizerFiles.write(dir);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            TraceGenerator traces = new TraceGenerator(5,
                    Trainer.modelInfo(DemoModelShape.standard(DemoTokenizerFiles.VOCAB_SIZE)), tokenizer, weights);
            ProblemGenerator problems = new ProblemGenerator(9, ProblemGenerator.Split.TRAIN);
            Map<Integer, Integer> counts = new TreeMap<>();
            for (int i = 0; i < runs; i++) {
                LockstepSimulator.Run run = traces.simulate(problems.next());
                counts.merge(run.plan().workers().size(), 1, Integer::sum);
            }
            return counts;
        }
    }

    @Test
    void onlyTheWorkerCountsWithWeightAreDrawnInProportion() {
        Map<Integer, Integer> counts = workerCounts(List.of(1, 0, 0, 0, 0, 0, 0, 3), 40);
        assertThat(counts.keySet()).isSubsetOf(1, 8, 2, 3); // independent 8-worker runs are played with 2 or 3 names
        assertThat(counts.getOrDefault(1, 0)).isBetween(3, 18);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
    }

    @Test
    void badWeightsAreRefused() {
        assertThatThrownBy(() -> TraceGenerator.checkedWeights(List.of(1, 2, 3)))
                .hasMessageContaining("one per worker count from 1 to 8");
        assertThatThrownBy(() -> TraceGenerator.checkedWeights(List.of(0, 0, 0, 0, 0, 0, 0, 0)))
                .hasMessageContaining("not all zero");
        assertThatThrownBy(() -> TraceGenerator.checkedWeights(List.of(1, -1, 0, 0, 0, 0, 0, 0)))
                .hasMessageContaining("none negative");
    }
}
