package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An orchestrator that shuts down stops its background loops (queue dispatch, takeover sweep) before its Redis
 * connection goes: none of them runs into the stopped connection and logs a failure on the way out.
 */
@ExtendWith({RedisExtension.class, OutputCaptureExtension.class})
class OrchestratorShutdownTest {

    @Test
    void theBackgroundLoopsStopBeforeTheRedisConnection(TestRedis redis, CapturedOutput output) throws Exception {
        ConfigurableApplicationContext orchestrator = CollaborativeRunEndToEndTest.startOrchestrator(
                "--hogwild.orchestrator.queue.dispatch-interval=5ms",
                "--hogwild.orchestrator.queue.takeover-interval=5ms");
        Thread.sleep(300); // many rounds of both loops
        int before = output.getAll().length();
        orchestrator.close();
        Thread.sleep(200); // a loop still running after the close would have ticked again by now
        String duringAndAfterClose = output.getAll().substring(before);
        assertThat(duringAndAfterClose).doesNotContain("dispatch round failed", "takeover sweep failed",
                "has been STOPPED");
    }
}
