package io.hogwild.contracts.worker;

import java.util.List;

/**
 * One worker of a session.
 *
 * @param name display name used in step prefixes, e.g. {@code Alice}
 * @param view the blocks this worker reads, in order; the last is the block it writes ({@code stepBlock})
 * @param historyBlock where its finished steps are promoted ({@code null}: never promoted, e.g. contiguous)
 */
public record WorkerSpec(String name, List<String> view, String historyBlock) {

    public String stepBlock() {
        return view.get(view.size() - 1);
    }
}
