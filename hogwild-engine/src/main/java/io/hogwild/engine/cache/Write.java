package io.hogwild.engine.cache;

import java.util.Arrays;

/**
 * One worker's part of a lockstep pass: the tokens it appends to its target block (the last block of its view).
 *
 * @param worker the worker's name
 * @param tokens token ids, at least one
 */
public record Write(String worker, int[] tokens) {

    public Write {
        if (worker == null || worker.isBlank()) {
            throw new IllegalArgumentException("write: worker name is empty");
        }
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("write for worker '" + worker + "': no tokens");
        }
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    int token(int i) {
        return tokens[i];
    }

    @Override
    public String toString() {
        return "Write[" + worker + ", " + Arrays.toString(tokens) + "]";
    }
}
