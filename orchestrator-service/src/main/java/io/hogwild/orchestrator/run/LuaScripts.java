package io.hogwild.orchestrator.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The orchestrator's Lua scripts ({@code src/main/resources/redis}), read once at start. A script made from the
 * resource itself would ask, on every execution, whether the file changed since its digest was taken, which inside the
 * service's jar means opening the jar entry again: once per recorded event.
 */
final class LuaScripts {

    private LuaScripts() {}

    static <T> RedisScript<T> load(String name, Class<T> resultType) {
        String path = "redis/" + name + ".lua";
        try {
            return RedisScript.of(new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8), resultType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the classpath", e);
        }
    }
}
