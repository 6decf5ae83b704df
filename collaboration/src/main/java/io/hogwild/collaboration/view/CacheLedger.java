package io.hogwild.collaboration.view;

import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.run.WorkerView;
import io.hogwild.contracts.worker.BlockRole;
import io.hogwild.contracts.worker.BlockSpec;
import io.hogwild.contracts.worker.SessionPlan;
import io.hogwild.contracts.worker.WorkerSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of a session's cache blocks as token ids and text, without the engine: what the GPU worker's cache
 * holds, block by block, told by the same operations (prefill, a pass's writes, promotions). The policy keeps one to
 * know every view's length and the final merged text; {@link ViewRebuilder} replays a run's events into one to show
 * what a worker read.
 */
public final class CacheLedger {

    /** One block: its role, tokens and their text. */
    private static final class Block {
        final BlockRole role;
        int[] ids = new int[16];
        int length;
        StringBuilder text = new StringBuilder();

        Block(BlockRole role) {
            this.role = role;
        }

        void append(int[] tokens, String more) {
            if (length + tokens.length > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(ids.length * 2, length + tokens.length));
            }
            System.arraycopy(tokens, 0, ids, length, tokens.length);
            length += tokens.length;
            text.append(more);
        }

        Block copy() {
            Block b = new Block(role);
            b.ids = Arrays.copyOf(ids, Math.max(ids.length, 1));
            b.length = length;
            b.text = new StringBuilder(text);
            return b;
        }
    }

    private final Map<String, Block> blocks = new LinkedHashMap<>();
    private final Map<String, List<String>> views = new LinkedHashMap<>();

    public CacheLedger(SessionPlan plan) {
        for (BlockSpec spec : plan.blocks()) {
            blocks.put(spec.name(), new Block(spec.role()));
        }
        for (WorkerSpec worker : plan.workers()) {
            views.put(worker.name(), List.copyOf(worker.view()));
        }
    }

    private CacheLedger() {
    }

    public CacheLedger copy() {
        CacheLedger c = new CacheLedger();
        blocks.forEach((name, block) -> c.blocks.put(name, block.copy()));
        c.views.putAll(views);
        return c;
    }

    /** Appends tokens and their text to a block (prefill, or a worker's write into its step block). */
    public void append(String block, int[] tokens, String text) {
        block(block).append(tokens, text);
    }

    /**
     * Moves the first {@code count} tokens of {@code source} to the end of {@code target}, with {@code text}, the
     * text of those tokens (the finished step); the rest of the source stays, at its start.
     */
    public void promote(String source, String target, int count, String text) {
        Block from = block(source);
        Block to = block(target);
        if (count < 0 || count > from.length) {
            throw new IllegalArgumentException("cannot promote " + count + " tokens of '" + source + "', which holds "
                    + from.length);
        }
        to.append(Arrays.copyOf(from.ids, count), text);
        System.arraycopy(from.ids, count, from.ids, 0, from.length - count);
        from.length -= count;
        String rest = from.text.toString();
        from.text = new StringBuilder(rest.startsWith(text) ? rest.substring(text.length())
                : rest.substring(Math.min(rest.length(), text.length())));
    }

    public int length(String block) {
        return block(block).length;
    }

    public String text(String block) {
        return block(block).text.toString();
    }

    public int[] tokens(String block) {
        Block b = block(block);
        return Arrays.copyOf(b.ids, b.length);
    }

    public BlockRole role(String block) {
        return block(block).role;
    }

    /** The block names, in plan order. */
    public List<String> blockNames() {
        return List.copyOf(blocks.keySet());
    }

    /** The blocks {@code worker} reads, in order. */
    public List<String> view(String worker) {
        List<String> view = views.get(worker);
        if (view == null) {
            throw new IllegalArgumentException("no worker '" + worker + "' in this session");
        }
        return view;
    }

    /** Tokens in {@code worker}'s view. */
    public int viewLength(String worker) {
        return view(worker).stream().mapToInt(this::length).sum();
    }

    /** {@code worker}'s view as blocks and their lengths. */
    public List<BlockExtent> extents(String worker) {
        return view(worker).stream().map(b -> new BlockExtent(b, length(b))).toList();
    }

    /** {@code worker}'s view as it is now, labelled as the view at the start of lockstep pass {@code lockstep}. */
    public WorkerView snapshot(String worker, long lockstep) {
        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        List<WorkerView.Block> parts = new ArrayList<>();
        for (String name : view(worker)) {
            Block b = block(name);
            text.append(b.text);
            for (int i = 0; i < b.length; i++) {
                ids.add(b.ids[i]);
            }
            parts.add(new WorkerView.Block(name, b.role, b.text.toString(), b.length));
        }
        return new WorkerView(worker, lockstep, text.toString(), List.copyOf(ids), List.copyOf(parts));
    }

    private Block block(String name) {
        Block b = blocks.get(name);
        if (b == null) {
            throw new IllegalArgumentException("unknown block '" + name + "'");
        }
        return b;
    }
}
