package io.hogwild.engine;

import ai.djl.ndarray.NDManager;
import io.hogwild.engine.cache.KvSegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keys and values of prompt prefixes computed once and shared by every session of the model that starts with the
 * same tokens (prefix caching). An entry is the start of a block whose keys depend on its own tokens alone (a block
 * prefilled with nothing before it in its view: the prompt, headers, markers); a session that starts such a block with
 * an entry's first tokens copies their keys and values into its own cache instead of computing them, and prefills
 * only the rest.
 *
 * <p>Nobody says where the problem starts in a rendered prompt: the first session's whole block is kept; when a later
 * session shares only its beginning, the entry is cut down to what they share (the template up to the problem), which
 * every further session then reuses. Entries are reference-counted while a session copies them, and evicted least
 * recently used first, never while referenced, to stay within the byte budget; the GPU worker counts their bytes in
 * its cache budget. Thread-safe.
 */
public final class PrefixCache implements AutoCloseable {

    /** Shorter common beginnings are not worth an entry (a chat template's first tokens are shared by any prompt). */
    public static final int MIN_SHARED_TOKENS = 16;

    private final NDManager manager;
    private final long budgetBytes;
    private final List<Entry> entries = new ArrayList<>();
    private long clock;
    private long bytes;
    private long hits;
    private long reusedTokens;

    private final class Entry {
        final int[] tokens;
        final KvSegment kv;
        int references;
        long lastUsed;
        boolean shared;

        Entry(int[] tokens, KvSegment kv) {
            this.tokens = tokens;
            this.kv = kv;
        }
    }

    /** A session's use of an entry: the first {@link #tokens()} of it; close once copied. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final int tokens;
        private boolean closed;

        private Lease(Entry entry, int tokens) {
            this.entry = entry;
            this.tokens = tokens;
        }

        public KvSegment segment() {
            return entry.kv;
        }

        /** How many of the block's first tokens the entry holds. */
        public int tokens() {
            return tokens;
        }

        @Override
        public void close() {
            synchronized (PrefixCache.this) {
                if (!closed) {
                    closed = true;
                    entry.references--;
                }
            }
        }
    }

    public PrefixCache(Transformer model, long budgetBytes) {
        this.manager = model.manager().newSubManager();
        this.budgetBytes = budgetBytes;
    }

    /**
     * The entry sharing the longest beginning with {@code tokens} (at least {@link #MIN_SHARED_TOKENS} of them, or all
     * of a shorter block), referenced until the lease is closed; empty when none does.
     */
    public synchronized Optional<Lease> lookup(int[] tokens) {
        Entry best = null;
        int bestLength = 0;
        for (Entry e : entries) {
            int n = commonPrefix(e.tokens, tokens);
            if (n > bestLength) {
                best = e;
                bestLength = n;
            }
        }
        if (best == null || bestLength < Math.min(MIN_SHARED_TOKENS, tokens.length)) {
            return Optional.empty();
        }
        if (bestLength < best.tokens.length && !best.shared) {
            // Two sessions share this much: keep that part, for every further session, instead of the first one's
            // whole block.
            best = replace(best, bestLength);
        }
        best.shared = true;
        best.references++;
        best.lastUsed = ++clock;
        hits++;
        reusedTokens += bestLength;
        return Optional.of(new Lease(best, bestLength));
    }

    /**
     * Offers a block a session has just computed in full (keys depending on its own tokens alone); {@code copy} gives
     * its keys and values in the manager it is passed, and is called only when an entry is made: not when an entry
     * already holds these tokens, nor when they would not fit in the budget even with everything unreferenced evicted.
     */
    public synchronized void offer(int[] tokens, long bytesNeeded, Function<NDManager, KvSegment> copy) {
        if (tokens.length == 0) {
            return;
        }
        for (Entry e : entries) {
            if (commonPrefix(e.tokens, tokens) == tokens.length) {
                return;
            }
        }
        if (!evictDownTo(budgetBytes - bytesNeeded)) {
            return;
        }
        Entry entry = new Entry(tokens.clone(), copy.apply(manager));
        entry.lastUsed = ++clock;
        entries.add(entry);
        bytes += entry.kv.bytes();
    }

    /**
     * Evicts unreferenced entries, least recently used first, until at most {@code bytesLeft} remain; whether that
     * was reached.
     */
    public synchronized boolean evictDownTo(long bytesLeft) {
        while (bytes > bytesLeft) {
            Entry victim = null;
            for (Entry e : entries) {
                if (e.references == 0 && (victim == null || e.lastUsed < victim.lastUsed)) {
                    victim = e;
                }
            }
            if (victim == null) {
                return false;
            }
            remove(victim);
        }
        return true;
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int entries() {
        return entries.size();
    }

    /** Lookups that found an entry. */
    public synchronized long hits() {
        return hits;
    }

    /** Tokens sessions copied instead of computing. */
    public synchronized long reusedTokens() {
        return reusedTokens;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** The first {@code length} tokens of {@code old} as an entry of their own, in its place when nobody uses it. */
    private Entry replace(Entry old, int length) {
        int[] tokens = java.util.Arrays.copyOf(old.tokens, length);
        KvSegment kv;
        try (NDManager scratch = manager.newSubManager()) {
            var k = old.kv.keys().get(scratch, new ai.djl.ndarray.index.NDIndex().addAllDim(3).addSliceDim(0, length))
                    .duplicate();
            var v = old.kv.values().get(scratch, new ai.djl.ndarray.index.NDIndex().addAllDim(2)
                    .addSliceDim(0, length)).duplicate();
            k.attach(manager);
            v.attach(manager);
            kv = new KvSegment(k, v, old.kv.base(), length, old.kv.bytes() / old.kv.length() * length);
        }
        Entry entry = new Entry(tokens, kv);
        entries.add(entry);
        bytes += kv.bytes();
        if (old.references == 0) {
            remove(old);
        }
        return entry;
    }

    private void remove(Entry e) {
        entries.remove(e);
        bytes -= e.kv.bytes();
        e.kv.close();
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    @Override
    public synchronized void close() {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            it.next().kv.close();
            it.remove();
        }
        bytes = 0;
        manager.close();
    }
}
