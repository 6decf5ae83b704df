package io.hogwild.cli;

/** A mistake in the command line: reported as one line on stderr with exit code 2. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
