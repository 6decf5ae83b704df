package io.hogwild.engine.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits for one worker: banned ids removed, then arg-max (greedy) or temperature, top-k and
 * top-p (nucleus) sampling from a seeded stream, so a run with the same seed repeats exactly.
 *
 * <p>Top-p does not sort the whole vocabulary: it takes the m most likely tokens with a bounded heap and doubles m
 * until their mass reaches p, which for real models is a handful of tokens.
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public SamplingParams params() {
        return params;
    }

    public int next(float[] logits) {
        if (params.isGreedy()) {
            return argMax(logits);
        }
        int vocab = logits.length;
        double invT = 1.0 / params.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            if (!banned(i)) {
                max = Math.max(max, logits[i] * invT);
            }
        }
        double[] probs = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = banned(i) ? 0 : Math.exp(logits[i] * invT - max);
            sum += probs[i];
        }
        int limit = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        if (limit == vocab && params.topP() >= 1) {
            return draw(probs, null, vocab, sum);
        }
        // Candidates in descending probability: the top `limit`, cut further by top-p.
        int m = Math.min(limit, 64);
        while (true) {
            int[] top = topIndices(probs, m);
            double mass = 0;
            for (int i = 0; i < top.length; i++) {
                mass += probs[top[i]];
                if (mass >= params.topP() * sum) {
                    return draw(probs, top, i + 1, mass);
                }
            }
            if (m >= limit) {
                return draw(probs, top, top.length, mass);
            }
            m = Math.min(limit, m * 4);
        }
    }

    public int argMax(float[] logits) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (banned(i)) {
                continue;
            }
            if (best < 0 || logits[i] > bestValue) {
                best = i;
                bestValue = logits[i];
            }
        }
        if (best < 0) {
            throw new IllegalStateException("every token is banned");
        }
        return best;
    }

    private boolean banned(int id) {
        return !params.bannedTokens().isEmpty() && params.bannedTokens().contains(id);
    }

    /** Draws from the first {@code count} candidates (or every token if {@code candidates} is null). */
    private int draw(double[] probs, int[] candidates, int count, double total) {
        double u = random.nextDouble() * total;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < count; i++) {
            int id = candidates == null ? i : candidates[i];
            if (probs[id] == 0) {
                continue;
            }
            acc += probs[id];
            last = id;
            if (u < acc) {
                return id;
            }
        }
        if (last < 0) {
            throw new IllegalStateException("every token is banned");
        }
        return last;
    }

    /** Indices of the m largest values, largest first (ties: lower index first). */
    static int[] topIndices(double[] values, int m) {
        m = Math.min(m, values.length);
        // Min-heap of the best m seen so far, keyed by (value, -index).
        int[] heap = new int[m];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size < m) {
                heap[size] = i;
                siftUp(heap, size++, values);
            } else if (better(i, heap[0], values)) {
                heap[0] = i;
                siftDown(heap, size, values);
            }
        }
        Integer[] boxed = new Integer[size];
        for (int i = 0; i < size; i++) {
            boxed[i] = heap[i];
        }
        Arrays.sort(boxed, (a, b) -> better(a, b, values) ? -1 : better(b, a, values) ? 1 : 0);
        return Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
    }

    private static boolean better(int a, int b, double[] v) {
        return v[a] > v[b] || v[a] == v[b] && a < b;
    }

    private static void siftUp(int[] h, int i, double[] v) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(h[parent], h[i], v)) {
                break;
            }
            int t = h[parent];
            h[parent] = h[i];
            h[i] = t;
            i = parent;
        }
    }

    private static void siftDown(int[] h, int size, double[] v) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < size && better(h[worst], h[l], v)) {
                worst = l;
            }
            if (r < size && better(h[worst], h[r], v)) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            int t = h[worst];
            h[worst] = h[i];
            h[i] = t;
            i = worst;
        }
    }
}
