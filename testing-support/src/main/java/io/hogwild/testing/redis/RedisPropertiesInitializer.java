package io.hogwild.testing.redis;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Points a Spring context at the test Redis: use it with {@code @ContextConfiguration(initializers = ...)} or, for
 * contexts a test starts itself (e.g. to restart a service), {@code new SpringApplicationBuilder(...)
 * .initializers(new RedisPropertiesInitializer())}.
 */
public final class RedisPropertiesInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final String PROPERTY_SOURCE = "hogwildTestRedis";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestRedis redis = TestRedis.shared();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, Map.of(
                "spring.data.redis.url", redis.url(),
                "spring.data.redis.host", redis.host(),
                "spring.data.redis.port", redis.port())));
    }
}
