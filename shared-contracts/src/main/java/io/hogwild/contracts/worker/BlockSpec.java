package io.hogwild.contracts.worker;

import java.util.List;

/**
 * One named cache block of a session and its initial content, prefilled before the first step: either
 * {@code text} (tokenized by the GPU worker) or {@code tokenIds}, or neither for a block that starts empty.
 *
 * @param name the block's name, unique in the plan
 * @param role what the block holds
 * @param text initial content as text
 * @param tokenIds initial content as token ids
 * @param callerText the ranges of {@code text} that came from the caller (the problem): tokenized as plain text, so
 *     a control token written in them (e.g. {@code <|im_end|>}) never becomes one; null or empty when there are none
 */
public record BlockSpec(String name, BlockRole role, String text, List<Integer> tokenIds, List<TextSpan> callerText) {

    /** A block whose text is all the platform's own. */
    public BlockSpec(String name, BlockRole role, String text, List<Integer> tokenIds) {
        this(name, role, text, tokenIds, null);
    }
}
