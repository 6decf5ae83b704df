package io.hogwild.testing.redis;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.test.context.ContextConfiguration;

/**
 * Runs a test class against a real Redis: starts the JVM's {@link TestRedis} and, for Spring tests, sets
 * {@code spring.data.redis.url} through {@link RedisPropertiesInitializer}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RedisExtension.class)
@ContextConfiguration(initializers = RedisPropertiesInitializer.class)
public @interface RealRedis {
}
