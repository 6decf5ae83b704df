package io.hogwild.testing.redis;

/** A started Redis server the tests talk to; {@link TestRedis} picks and owns the implementation. */
interface RedisBackend {

    String host();

    int port();

    /** Human-readable origin, e.g. {@code redis-server 7.0.15 (pid 123)} or {@code testcontainers redis:7-alpine}. */
    String description();

    void stop();
}
