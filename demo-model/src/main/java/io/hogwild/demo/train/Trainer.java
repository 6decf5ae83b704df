package io.hogwild.demo.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.demo.checkpoint.CheckpointWriter;
import io.hogwild.demo.checkpoint.DemoTokenizerFiles;
import io.hogwild.demo.traces.CacheTrace;
import io.hogwild.demo.traces.TraceGenerator;
import io.hogwild.engine.tokenizer.Tokenizer;
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


    private final TrainOptions options;
    private final PrintStream log;
    /** The training record of the checkpoint this run starts from, kept in the new one's config. */
    private Object initInfo;

    public Trainer(TrainOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public void train() {
        initInfo = options.init() == null ? null : CheckpointWriter.trainingInfo(options.init());
        DemoTokenizerFiles.write(options.output());
        DemoModelShape shape = DemoModelShape.standard(DemoTokenizerFiles.VOCAB_SIZE);
        Engine.getEngine("PyTorch").setRandomSeed((int) options.seed());
        long start = System.nanoTime();
        log.printf("demo model: %,d parameters, %d steps of up to %d tokens, seed %d, %s%n", shape.parameters(),
                options.steps(), options.batchTokens(), options.seed(),
                options.init() == null ? "from scratch" : "from " + options.init());
        try (Tokenizer tokenizer = Tokenizer.load(options.output());
             NDManager root = NDManager.newBaseManager("PyTorch");
             TrainableTransformer model = options.init() == null
                     ? new TrainableTransformer(shape, root, options.seed())
                     : new TrainableTransformer(shape, root, options.init())) {
            TraceGenerator traces = new TraceGenerator(options.seed(), modelInfo(shape), tokenizer,
                    options.workerWeights());
            Batches batches = new Batches(traces, options.batchTokens(), shape.heads(), new Random(options.seed() + 1));
            AdamW optimizer = new AdamW(0.9, 0.98, 1e-8, options.weightDecay());
            double lossSum = 0;
            long learnedTokens = 0;
            long seenTokens = 0;
            int window = 0;
            for (int step = 0; step < options.steps(); step++) {
                List<CacheTrace> batch = batches.next();
                try (NDManager stepManager = root.newSubManager()) {
                    Batch a = Batch.of(batch, shape, stepManager);
                    float loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray l = model.loss(a.inputs(), a.targets(), a.mask(), a.layout(), stepManager);
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
        info.put("schedule_steps", options.steps());
        info.put("batch_tokens", options.batchTokens());
        info.put("peak_learning_rate", options.peakLearningRate());
        info.put("worker_weights", options.workerWeights());
        info.put("train_seconds", Math.round(seconds));
        if (options.init() != null) {
            info.put("continued_from", initInfo);
        }
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
                DemoTokenizerFiles.CHAT_TEMPLATE, special, null);
    }

    /**
     * Batches of runs of similar length (little padding), in a seeded random order. A batch also keeps its attention
     * scores ({@code rows x heads x length^2} floats, also the size of the per-chunk query rotations) under glibc's
     * largest mmap threshold (32 MiB): bigger buffers are mapped fresh and page-faulted on every op, which made
     * training three times slower here. A run too long for these limits on its own (a long 4-worker run, over a
     * thousand tokens with its padding) gets a batch of its own.
     */
    static final class Batches {
        private static final int BUFFER_RUNS = 256;
        private static final long MAX_SCORE_BYTES = 30L << 20;
        private final TraceGenerator traces;
        private final int batchTokens;
        private final int heads;
        private final Random random;
        private final Deque<List<CacheTrace>> ready = new ArrayDeque<>();

        Batches(TraceGenerator traces, int batchTokens, int heads, Random random) {
            this.traces = traces;
            this.batchTokens = batchTokens;
            this.heads = heads;
            this.random = random;
        }

        private boolean fits(int rows, long length) {
            return rows * length <= batchTokens && rows * heads * length * length * Float.BYTES <= MAX_SCORE_BYTES;
        }

        List<CacheTrace> next() {
            if (ready.isEmpty()) {
                refill();
            }
            return ready.poll();
        }

        private void refill() {
            List<CacheTrace> buffer = new ArrayList<>();
            while (buffer.size() < BUFFER_RUNS) {
                buffer.add(traces.nextRun());
            }
            buffer.sort(Comparator.comparingInt(CacheTrace::length));
            List<List<CacheTrace>> batches = new ArrayList<>();
            List<CacheTrace> current = new ArrayList<>();
            for (CacheTrace t : buffer) {
                if (!current.isEmpty() && !fits(current.size() + 1, t.length())) { // sorted: t is the longest
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

    /** A batch as arrays: inputs, targets, the loss weights (0: not learned) and the attention layout, right-padded. */
    record Batch(NDArray inputs, NDArray targets, NDArray mask, AttentionLayout layout, long learned, long tokens) {
        static Batch of(List<CacheTrace> batch, DemoModelShape shape, NDManager manager) {
            int length = batch.stream().mapToInt(CacheTrace::length).max().orElseThrow();
            int rows = batch.size();
            int[] inputs = new int[rows * length];
            int[] targets = new int[rows * length];
            float[] mask = new float[rows * length];
            long learned = 0;
            for (int r = 0; r < rows; r++) {
                CacheTrace t = batch.get(r);
                for (int i = 0; i < t.length(); i++) {
                    inputs[r * length + i] = t.id(i);
                    if (t.target(i) >= 0) {
                        targets[r * length + i] = t.target(i);
                        mask[r * length + i] = t.weight(i);
                        learned++;
                    }
                }
            }
            Shape shape2 = new Shape(rows, length);
            return new Batch(manager.create(inputs, shape2), manager.create(targets, shape2),
                    manager.create(mask, shape2), AttentionLayout.of(batch, shape, manager), learned,
                    (long) rows * length);
        }
    }
}
