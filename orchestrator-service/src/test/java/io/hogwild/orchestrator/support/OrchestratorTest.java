package io.hogwild.orchestrator.support;

import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RealRedis;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The orchestrator on a random port against the real test Redis, with timings short enough for tests. The context is
 * closed after each test class: a cached one would go on dispatching and taking over the runs of the end-to-end tests
 * that follow on the same Redis, with these short timings.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@RealRedis
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hogwild.orchestrator.resilience.call-timeout=2s",
        "hogwild.orchestrator.resilience.connect-timeout=1s",
        "hogwild.orchestrator.resilience.sliding-window-size=4",
        "hogwild.orchestrator.resilience.minimum-number-of-calls=4",
        "hogwild.orchestrator.resilience.wait-in-open-state=60s",
        "hogwild.orchestrator.resilience.retry-wait=20ms",
        "hogwild.orchestrator.resilience.stream-reconnects=2",
        "hogwild.orchestrator.registry.heartbeat-check-interval=200ms",
        "hogwild.orchestrator.registry.heartbeat-grace=1s",
        // The stand-in worker is the only one: a run it loses cannot be resumed, and fails soon.
        "hogwild.orchestrator.resume.wait-for-room=1s",
        "hogwild.orchestrator.resume.retry-interval=200ms",
        "hogwild.orchestrator.queue.dispatch-interval=100ms",
        "hogwild.orchestrator.queue.takeover-interval=500ms",
        "hogwild.internal.token=" + ServiceCredentials.TOKEN,
        "hogwild.orchestrator.registry.retry-after=3s",
        "hogwild.orchestrator.events.poll-interval=20ms"})
public @interface OrchestratorTest {
}
