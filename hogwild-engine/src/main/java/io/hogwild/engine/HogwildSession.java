package io.hogwild.engine;

import io.hogwild.engine.attention.Attention;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.SharedCache;
import io.hogwild.engine.cache.Write;
import java.util.List;
import java.util.Map;

/**
 * One Hogwild! session: a shared block cache, the workers' views of it, and lockstep passes over it.
 *
 * <p>Each pass runs in its own short-lived {@link NDManager}, closed before the pass returns, so a session of any
 * length holds only its cache storage. A session is used by one thread at a time.
 */
public final class HogwildSession implements AutoCloseable {

    /** Long prefills run in chunks of this many tokens to bound the attention scores' memory. */
    public static final int DEFAULT_PREFILL_CHUNK = 256;

    private final Transformer model;
    private final SharedCache cache;
    private final Attention attention;
    private final AttentionMode mode;

    public HogwildSession(Transformer model, AttentionMode mode) {
        this.model = model;
        this.mode = mode;
        this.attention = mode.create();
        this.cache = new SharedCache(model.manager(), model.config(), model.cacheDataType());
    }

    public AttentionMode mode() {
        return mode;
    }

    public SharedCache cache() {
        return cache;
    }

    public Transformer model() {
        return model;
    }

    public void createBlocks(List<String> names) {
        names.forEach(cache::createBlock);
    }

    public void setView(String worker, List<String> blocks) {
        cache.setView(worker, blocks);
    }

    /**
     * One joint forward pass: every write's tokens go to its worker's target block, and the logits of the new
     * tokens come back per worker ({@code readout} chooses every token's row or only each worker's last).
     */
    public Map<String, float[][]> forward(List<Write> writes, Transformer.Readout readout) {
        return BatchedForward.forward(model, List.of(new BatchedForward.Request(this, writes, readout))).get(0)
                .orThrow();
    }

    /** How this session attends over its cache. */
    Attention attention() {
        return attention;
    }

    /**
     * Appends a long run of tokens for one worker in chunks (each chunk one pass), returning the logits of the
     * last token.
     */
    public float[] prefill(String worker, int[] tokens, int chunk) {
        float[] last = null;
        for (int from = 0; from < tokens.length; from += chunk) {
            int to = Math.min(tokens.length, from + chunk);
            int[] part = java.util.Arrays.copyOfRange(tokens, from, to);
            last = forward(List.of(new Write(worker, part)), Transformer.Readout.LAST_PER_WRITER).get(worker)[0];
        }
        return last;
    }

    /** Moves a finished block's tokens to the end of another (e.g. a worker's finished step into the shared history). */
    public void promote(String source, String target) {
        cache.promote(source, target, model.rope());
    }

    /**
     * Moves the first {@code count} tokens of {@code source} to the end of {@code target}; the rest of {@code source}
     * moves to its start (see {@link SharedCache#promote(String, String, int, io.hogwild.engine.rope.RotaryEmbedding)}).
     */
    public void promote(String source, String target, int count) {
        cache.promote(source, target, count, model.rope());
    }

    @Override
    public void close() {
        cache.close();
    }
}
