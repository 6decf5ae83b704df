package io.hogwild.gateway.support;

import java.time.Duration;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Test clients for a gateway started by {@link Stack}, and its JSON dialect for reading bodies. */
public final class Http {

    private Http() {
    }

    public static WebTestClient client(ConfigurableApplicationContext gateway) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + Stack.port(gateway))
                .responseTimeout(Duration.ofSeconds(120))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
    }

    public static String bearer(String key) {
        return "Bearer " + key;
    }

    public static JsonMapper json(ConfigurableApplicationContext gateway) {
        return gateway.getBean(JsonMapper.class);
    }

    public static Map<String, Object> map(JsonMapper json, byte[] body) {
        return json.readValue(body, new TypeReference<Map<String, Object>>() { });
    }
}
