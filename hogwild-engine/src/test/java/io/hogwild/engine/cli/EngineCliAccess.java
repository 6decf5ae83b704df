package io.hogwild.engine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process for tests in other packages. */
public final class EngineCliAccess {

    private EngineCliAccess() {}

    public static String runToString(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = EngineCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new AssertionError("hogwild engine " + String.join(" ", args) + " exited " + code);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
