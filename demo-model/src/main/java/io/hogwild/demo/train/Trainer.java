package io.hogwild.demo.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.demo.checkpoint.CheckpointWriter;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.traces.TraceExample;
import io.hogwild.demo.traces.TraceGenerator;
import io.hogwild.worker.engine.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains the demo model from scratch on scripted lockstep traces with DJL's autograd on the engine's libtorch (CPU),
 * and writes the Hugging Face checkpoint. Everything random derives from the options' seed.
 */
public final class Trainer {

    private static final int BUFFER_EXAMPLES = 768;

    private final TrainOptions options;
    private final PrintStream log;

    public Trainer(TrainOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public void train() {
        DemoTokenizerFiles.write(options.output());
        DemoModelShape shape = DemoModelShape.standard(DemoTokenizerFiles.VOCAB_SIZE);
        Engine.getEngine("PyTorch").setRandomSeed((int) options.seed());
        long start = System.nanoTime();
        log.printf("demo model: %,d parameters, %d steps of up to %d tokens, seed %d%n", shape.parameters(),
                options.steps(), options.batchTokens(), options.seed());
        try (Tokenizer tokenizer = Tokenizer.load(options.output());
             NDManager root = NDManager.newBaseManager("PyTorch");
             TrainableTransformer model = new TrainableTransformer(shape, root, options.seed())) {
            TraceGenerator traces = new TraceGenerator(options.seed(), modelInfo(shape), tokenizer);
            Batches batches = new Batches(traces, options.batchTokens(), shape.heads(), new Random(options.seed() + 1));
            var rope = new TrainableTransformer.RopeTables(shape, shape.contextLimit(), root);
            AdamW optimizer = new AdamW(0.9, 0.98, 1e-8, options.weightDecay());
            double lossSum = 0;
            long learnedTokens = 0;
            long seenTokens = 0;
            int window = 0;
            for (int step = 0; step < options.steps(); step++) {
                List<TraceExample.Tokens> batch = batches.next();
                try (NDManager stepManager = root.newSubManager()) {
                    Arrays3 a = Arrays3.of(batch, stepManager);
                    float loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray l = model.loss(a.inputs(), a.targets(), a.mask(), a.attention(), rope,
                                stepManager);
                        collector.backward(l);
                        loss = l.getFloat();
                    }
                    optimizer.step(model.parameters(), options.learningRate(step), 1.0, stepManager);
                    if (Float.isFinite(loss)) {
                        lossSum += loss;
                    } else {
                        window--;
                    }
                    learnedTokens += a.learned();
                    seenTokens += a.tokens();
                    window++;
                }
                if ((step + 1) % 50 == 0 || step + 1 == options.steps()) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    log.printf("step %5d  loss %.4f  lr %.2e  grad %.2f  tokens/s %,.0f  learned %,d  skipped %d  %.0fs%n",
                            step + 1, lossSum / window, options.learningRate(step), optimizer.lastGradientNorm(),
                            seenTokens / seconds, learnedTokens, optimizer.skipped(), seconds);
                    log.flush();
                    lossSum = 0;
                    window = 0;
                }
                if ((step + 1) % options.checkpointEvery() == 0 || step + 1 == options.steps()) {
                    save(model, step + 1, (System.nanoTime() - start) / 1e9);
                }
            }
        }
    }

    private void save(TrainableTransformer model, int steps, double seconds) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("trained_by", "./hogwild demo-model train");
        info.put("seed", options.seed());
        info.put("steps", steps);
        info.put("batch_tokens", options.batchTokens());
        info.put("train_seconds", Math.round(seconds));
        CheckpointWriter.write(options.output(), model, info);
        log.printf("checkpoint written to %s after %d steps%n", options.output(), steps);
    }

    /** The model as the orchestrator will see it, for rendering training prompts through the chat template. */
    public static ModelInfo modelInfo(DemoModelShape shape) {
        Map<String, String> special = new LinkedHashMap<>();
        special.put("bos_token", null);
        special.put("eos_token", DemoTokenizerFiles.IM_END);
        special.put("pad_token", DemoTokenizerFiles.END_OF_TEXT);
        special.put("unk_token", null);
        return new ModelInfo("hogwild-demo", shape.qkNorm() ? "Qwen3ForCausalLM" : "LlamaForCausalLM",
                shape.contextLimit(), shape.vocabSize(),
                DemoTokenizerFiles.CHAT_TEMPLATE, special);
    }

    /**
     * Batches of examples of similar length (little padding), in a seeded random order. A batch also keeps its
     * attention scores ({@code rows x heads x length^2} floats) under glibc's largest mmap threshold (32 MiB): bigger
     * buffers are mapped fresh and page-faulted on every op, which made training three times slower here.
     */
    static final class Batches {
        private static final long MAX_SCORE_BYTES = 30L << 20;
        private final TraceGenerator traces;
        private final int batchTokens;
        private final int heads;
        private final Random random;
        private final Deque<List<TraceExample.Tokens>> ready = new ArrayDeque<>();

        Batches(TraceGenerator traces, int batchTokens, int heads, Random random) {
            this.traces = traces;
            this.batchTokens = batchTokens;
            this.heads = heads;
            this.random = random;
        }

        private boolean fits(int rows, long length) {
            return rows * length <= batchTokens && rows * heads * length * length * Float.BYTES <= MAX_SCORE_BYTES;
        }

        List<TraceExample.Tokens> next() {
            if (ready.isEmpty()) {
                refill();
            }
            return ready.poll();
        }

        private void refill() {
            List<TraceExample.Tokens> buffer = new ArrayList<>();
            while (buffer.size() < BUFFER_EXAMPLES) {
                buffer.addAll(traces.nextRun());
            }
            buffer.sort(Comparator.comparingInt(t -> t.ids().length));
            List<List<TraceExample.Tokens>> batches = new ArrayList<>();
            List<TraceExample.Tokens> current = new ArrayList<>();
            for (TraceExample.Tokens t : buffer) {
                int longest = t.ids().length; // sorted: the newest is the longest
                if (!current.isEmpty() && !fits(current.size() + 1, longest)) {
                    batches.add(current);
                    current = new ArrayList<>();
                }
                current.add(t);
            }
            if (!current.isEmpty()) {
                batches.add(current);
            }
            Collections.shuffle(batches, random);
            ready.addAll(batches);
        }
    }

    /** A batch as arrays: inputs, next-token targets, the loss mask and the attention mask, right-padded. */
    record Arrays3(NDArray inputs, NDArray targets, NDArray mask, NDArray attention, long learned, long tokens) {
        static Arrays3 of(List<TraceExample.Tokens> batch, NDManager manager) {
            int length = batch.stream().mapToInt(t -> t.ids().length).max().orElseThrow() - 1;
            int rows = batch.size();
            int[] inputs = new int[rows * length];
            int[] targets = new int[rows * length];
            float[] mask = new float[rows * length];
            float[] attention = new float[rows * length * length];
            long learned = 0;
            for (int r = 0; r < rows; r++) {
                int[] ids = batch.get(r).ids();
                boolean[] learn = batch.get(r).learn();
                TraceExample.Tokens t = batch.get(r);
                for (int q = 0; q < length; q++) {
                    for (int k = 0; k < length; k++) {
                        // Padding rows attend causally; padding keys are never seen by real queries (they come last).
                        boolean seen = q < ids.length && k < ids.length ? t.sees(q, k) : k <= q;
                        attention[(r * length + q) * length + k] = seen ? 0f : -1e9f;
                    }
                }
                for (int i = 0; i + 1 < ids.length; i++) {
                    inputs[r * length + i] = ids[i];
                    targets[r * length + i] = ids[i + 1];
                    if (learn[i + 1]) {
                        mask[r * length + i] = 1f;
                        learned++;
                    }
                }
            }
            Shape shape = new Shape(rows, length);
            return new Arrays3(manager.create(inputs, shape), manager.create(targets, shape),
                    manager.create(mask, shape), manager.create(attention, new Shape(rows, 1, length, length)),
                    learned, (long) rows * length);
        }
    }
}
