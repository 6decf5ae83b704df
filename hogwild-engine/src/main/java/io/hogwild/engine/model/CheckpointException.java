package io.hogwild.engine.model;

/** A checkpoint folder that cannot be loaded: the message names the file and, where it applies, the field or tensor. */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
