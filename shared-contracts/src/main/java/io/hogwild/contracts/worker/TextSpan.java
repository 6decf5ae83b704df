package io.hogwild.contracts.worker;

/**
 * A range of characters {@code [start, end)} of a block's text.
 *
 * @param start the first character
 * @param end one past the last character
 */
public record TextSpan(int start, int end) {}
