package io.hogwild.testing.redis;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/** Redis in a container, used when a Docker engine answers. */
final class RedisTestContainer implements RedisBackend {

    static final String IMAGE_ENV = "HOGWILD_REDIS_IMAGE";
    private static final int REDIS_PORT = 6379;

    private final GenericContainer<?> container;

    private RedisTestContainer(GenericContainer<?> container) {
        this.container = container;
    }

    /** True when Testcontainers finds a working Docker engine; any failure to ask counts as "no". */
    static boolean dockerAvailable() {
        if (!anyDockerHint()) {
            // Asking Testcontainers costs a second and logs an ERROR when there is no engine at all (CI here).
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** A Docker endpoint may exist: DOCKER_HOST, a known socket, or Testcontainers' own configuration file. */
    private static boolean anyDockerHint() {
        String home = System.getProperty("user.home", "");
        return System.getenv("DOCKER_HOST") != null
                || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".docker", "run", "docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".testcontainers.properties"));
    }

    static RedisTestContainer start() {
        String image = System.getenv().getOrDefault(IMAGE_ENV, "redis:7-alpine");
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withExposedPorts(REDIS_PORT)
                .withCommand("redis-server", "--save", "", "--appendonly", "no");
        container.start();
        return new RedisTestContainer(container);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(REDIS_PORT);
    }

    @Override
    public String description() {
        return "testcontainers " + container.getDockerImageName();
    }

    @Override
    public void stop() {
        container.stop();
    }
}
