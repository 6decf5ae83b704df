package io.hogwild.chattemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads the copied reference fixtures from the test classpath (src/test/resources). */
final class GoldenFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private GoldenFixtures() {
    }

    static Path path(String resource) {
        URL url = GoldenFixtures.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + resource);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String resource) {
        return JSON.readTree(path(resource).toFile());
    }

    static List<ChatMessage> messages(JsonNode messages) {
        List<ChatMessage> result = new ArrayList<>();
        for (JsonNode m : messages) {
            JsonNode reasoning = m.get("reasoning_content");
            result.add(new ChatMessage(m.get("role").asString(), m.get("content").asString(),
                    reasoning == null || reasoning.isNull() ? null : reasoning.asString()));
        }
        return result;
    }
}
