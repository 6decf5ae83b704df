package io.hogwild.gateway.ratelimit;

import io.hogwild.gateway.config.GatewayProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Per-key token buckets in Redis (see {@code redis/token-bucket.lua}), shared by all gateway replicas. */
@Component
public class RateLimiter {

    /** Whether a request may pass; when not, how long until it would. */
    public record Decision(boolean allowed, long remaining, Duration retryAfter) {}

    /**
     * Read once: a script made from the resource would ask on every request whether the file changed, which inside
     * the service's jar means opening the jar entry again.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final RedisScript<List<Long>> SCRIPT = (RedisScript) RedisScript.of(script("redis/token-bucket.lua"),
            List.class);

    private final ReactiveStringRedisTemplate redis;
    private final GatewayProperties.RateLimit config;

    private static String script(String path) {
        try {
            return new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the classpath", e);
        }
    }

    public RateLimiter(ReactiveStringRedisTemplate redis, GatewayProperties properties) {
        this.redis = redis;
        this.config = properties.rateLimit();
    }

    public GatewayProperties.RateLimit config() {
        return config;
    }

    /** Takes one token from {@code keyName}'s bucket. */
    public Mono<Decision> acquire(String keyName) {
        return redis.execute(SCRIPT, List.of(config.keyPrefix() + keyName),
                        List.of(Integer.toString(config.burst()), Integer.toString(config.requestsPerMinute())))
                .reduce(new ArrayList<Long>(), (all, part) -> {
                    all.addAll(part);
                    return all;
                })
                .map(r -> new Decision(r.get(0) == 1L, r.get(1), Duration.ofMillis(r.get(2))));
    }
}
