package io.hogwild.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;

@RealRedis
class TestRedisTest {

    @Test
    void serverIsRealAndWritable(TestRedis redis) {
        assertThat(redis.command("PING")).isEqualTo("PONG");
        redis.command("SET", "harness:key", "value with spaces");
        assertThat(redis.command("GET", "harness:key")).isEqualTo("value with spaces");
        assertThat(redis.command("XADD", "harness:stream", "*", "f", "v")).asString().contains("-");
        assertThat((List<?>) redis.command("XRANGE", "harness:stream", "-", "+")).hasSize(1);
    }

    @Test
    void persistenceIsOff(TestRedis redis) {
        List<?> save = (List<?>) redis.command("CONFIG", "GET", "save");
        List<?> aof = (List<?>) redis.command("CONFIG", "GET", "appendonly");
        assertThat(save.get(1)).isEqualTo("");
        assertThat(aof.get(1)).isEqualTo("no");
    }

    @Test
    void oneServerPerJvm(TestRedis redis) {
        assertThat(TestRedis.shared()).isSameAs(redis);
        assertThat(redis.url()).isEqualTo("redis://" + redis.host() + ":" + redis.port());
    }

    @Test
    void initializerPointsSpringAtTheServer(TestRedis redis) {
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            new RedisPropertiesInitializer().initialize(context);
            assertThat(context.getEnvironment().getProperty("spring.data.redis.url")).isEqualTo(redis.url());
            assertThat(context.getEnvironment().getProperty("spring.data.redis.port", Integer.class))
                    .isEqualTo(redis.port());
        }
    }

    @Test
    void durableRedisKeepsAcknowledgedWritesAcrossSigkill() {
        try (DurableRedis durable = DurableRedis.start()) {
            assertThat(((List<?>) durable.command("CONFIG", "GET", "appendonly")).get(1)).isEqualTo("yes");
            assertThat(((List<?>) durable.command("CONFIG", "GET", "appendfsync")).get(1)).isEqualTo("everysec");
            for (int i = 0; i < 100; i++) {
                durable.command("XADD", "log", "*", "n", Integer.toString(i));
            }
            durable.kill();
            assertThat(durable.running()).isFalse();
            durable.restart();
            assertThat(durable.command("XLEN", "log")).isEqualTo(100L);
        }
    }

    @Test
    void errorRepliesAreReported(TestRedis redis) {
        assertThatThrownBy(() -> redis.command("NO-SUCH-COMMAND")).hasMessageContaining("redis error");
    }

    @Test
    void missingExecutableNamesTheFix() {
        String previous = System.getProperty("hogwild.redis-server");
        System.setProperty("hogwild.redis-server", "/nonexistent/redis-server");
        try {
            assertThatThrownBy(RedisServerProcess::findExecutable).hasMessageContaining("HOGWILD_REDIS_SERVER");
        } finally {
            if (previous == null) {
                System.clearProperty("hogwild.redis-server");
            } else {
                System.setProperty("hogwild.redis-server", previous);
            }
        }
    }
}
