package io.hogwild.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** The committed demo model, found from the module's directory (Maven runs tests there) or the repository root. */
public final class DemoModels {

    private DemoModels() {
    }

    /** The trained demo model, when it has been committed (tests of its behaviour are skipped until then). */
    public static java.util.Optional<Path> bundled() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("models/hogwild-demo");
            if (Files.isRegularFile(candidate.resolve("model.safetensors"))) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }
}
