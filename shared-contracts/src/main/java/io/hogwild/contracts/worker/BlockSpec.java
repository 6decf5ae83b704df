package io.hogwild.contracts.worker;

import java.util.List;

/**
 * One named cache block of a session and its initial content, prefilled before the first step: either
 * {@code text} (tokenized by the GPU worker) or {@code tokenIds}, or neither for a block that starts empty.
 */
public record BlockSpec(String name, BlockRole role, String text, List<Integer> tokenIds) {}
