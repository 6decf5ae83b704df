package io.hogwild.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** The committed demo model, found from the module's directory (Maven runs tests there) or the repository root. */
public final class DemoModels {

    private DemoModels() {
    }

    /** The trained demo model; a checkout without it fails the tests that need it rather than skipping them. */
    public static Path bundled() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("models/hogwild-demo");
            if (Files.isRegularFile(candidate.resolve("model.safetensors"))) {
                return candidate;
            }
        }
        throw new AssertionError("The committed demo model models/hogwild-demo (model.safetensors) is missing: "
                + "looked in " + start + " and every directory above. Restore it from git, or retrain it with "
                + "./hogwild demo-model train.");
    }
}
