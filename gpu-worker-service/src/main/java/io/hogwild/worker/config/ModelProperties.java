package io.hogwild.worker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The checkpoint this worker serves ({@code hogwild.model.*}; {@code HOGWILD_MODEL_PATH}).
 *
 * @param path a Hugging Face checkpoint folder; a relative path is looked up from the working directory and then
 *     from its parents, so the default bundled model is found whether the service starts in the repository root
 *     or in the module folder (Maven runs tests there)
 * @param id the model id reported to clients; empty means the folder name
 */
@ConfigurationProperties("hogwild.model")
public record ModelProperties(@DefaultValue("models/hogwild-demo") String path, String id) {

    public Path resolvedPath() {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p.normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(p))) {
                return dir.resolve(p).normalize();
            }
        }
        return cwd.resolve(p).normalize(); // not found: the loader reports this path
    }

    public String modelId(Path resolved) {
        return id == null || id.isBlank() ? resolved.getFileName().toString() : id;
    }
}
