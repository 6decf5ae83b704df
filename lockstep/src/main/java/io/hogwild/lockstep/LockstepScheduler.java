package io.hogwild.lockstep;

import io.hogwild.engine.BatchedForward;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine loop for every session of a model (continuous batching): each iteration is one forward pass holding the
 * next writes of every active session ({@link BatchedForward}), then each session takes its own logits.
 *
 * <p>Sessions join ({@link #submit}) and leave (when done) between passes. Decode passes always go in; prefill chunks
 * are added after them, in the order sessions joined, while the pass stays within its token budget, so a long prompt never stalls
 * running sessions (when nothing else runs, one chunk goes in whatever its size). A session that fails, in its own
 * policy or in its part of the pass, ends alone with ERROR; the others go on.
 */
public final class LockstepScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LockstepScheduler.class);

    private final Transformer model;
    private final int tokenBudget;
    private final BlockingQueue<LockstepLoop> joining = new LinkedBlockingQueue<>();
    private final List<LockstepLoop> active = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long passes;
    private volatile long rowsInLastPass;

    /**
     * @param tokenBudget most tokens a pass holds, all sessions together, unless decode rows alone exceed it (at
     *     least one prefill chunk, {@link HogwildSession#DEFAULT_PREFILL_CHUNK})
     */
    public LockstepScheduler(Transformer model, int tokenBudget, String threadName) {
        if (tokenBudget < HogwildSession.DEFAULT_PREFILL_CHUNK) {
            throw new IllegalArgumentException("the per-pass token budget must hold one prefill chunk ("
                    + HogwildSession.DEFAULT_PREFILL_CHUNK + " tokens), got " + tokenBudget);
        }
        this.model = model;
        this.tokenBudget = tokenBudget;
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Adds a session: it joins before the next pass. */
    public void submit(LockstepLoop loop) {
        if (closed) {
            throw new IllegalStateException("the scheduler is closed");
        }
        joining.add(loop);
    }

    public int tokenBudget() {
        return tokenBudget;
    }

    /** Joint forward passes run so far. */
    public long passes() {
        return passes;
    }

    /** Tokens in the latest pass, all sessions together. */
    public long rowsInLastPass() {
        return rowsInLastPass;
    }

    private void loop() {
        while (!closed) {
            try {
                if (active.isEmpty()) {
                    LockstepLoop first = joining.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    active.add(first);
                }
                joining.drainTo(active);
                step(active);
                active.removeIf(LockstepLoop::done);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // The per-session failures are handled in step; this is the scheduler's own bug: keep serving.
                log.error("Lockstep scheduler pass failed", e);
            }
        }
    }

    /**
     * One joint pass over {@code sessions}: each one's next writes (decode first, then prefill chunks under the
     * budget), one forward pass, each one's logits. Also the whole of a batched run for tools and benchmarks.
     */
    public static int step(List<LockstepLoop> sessions, int tokenBudget, Transformer model) {
        List<LockstepLoop> members = new ArrayList<>();
        List<BatchedForward.Request> requests = new ArrayList<>();
        int budget = tokenBudget;
        for (boolean prefill : new boolean[] {false, true}) {
            for (LockstepLoop s : sessions) {
                if (s.done() || s.prefilling() != prefill || members.contains(s)) {
                    continue;
                }
                int room = requests.isEmpty() ? Integer.MAX_VALUE : budget;
                try {
                    LockstepLoop.Work work = s.next(room);
                    if (work != null) {
                        members.add(s);
                        requests.add(new BatchedForward.Request(work.session(), work.writes(),
                                Transformer.Readout.LAST_PER_WRITER));
                        budget -= work.tokens();
                    }
                } catch (Throwable t) {
                    s.fail(t);
                }
            }
        }
        if (requests.isEmpty()) {
            return 0;
        }
        List<BatchedForward.Result> results = BatchedForward.forward(model, requests);
        // Each session's sampling, policy and events touch only that session: they run side by side, so the host
        // work of many sessions does not serialise behind one thread while the device waits.
        IntStream.range(0, members.size()).parallel().forEach(i -> {
            LockstepLoop s = members.get(i);
            try {
                s.accept(results.get(i).orThrow());
            } catch (Throwable t) {
                s.fail(t);
            }
        });
        return tokenBudget - budget;
    }

    private void step(List<LockstepLoop> sessions) {
        int tokens = step(sessions, tokenBudget, model);
        if (tokens > 0) {
            rowsInLastPass = tokens;
            passes++;
        }
    }

    /**
     * Runs {@code sessions} batched on the calling thread until all are done (tools, tests, benchmarks); returns the
     * joint passes it took.
     */
    public static long runAll(List<LockstepLoop> sessions, int tokenBudget, Transformer model) {
        long passes = 0;
        while (sessions.stream().anyMatch(s -> !s.done())) {
            if (step(sessions, tokenBudget, model) > 0) {
                passes++;
            }
        }
        return passes;
    }

    /** Stops the loop after its current pass; sessions still active are left as they are (cancel them first). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
