package io.hogwild.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.worker.RegistryKeys;
import io.hogwild.contracts.worker.WorkerRegistration;
import io.hogwild.orchestrator.support.OrchestratorTest;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Finding the GPU workers against the real Redis: through the registry's index, in a fixed number of commands however
 * many other keys the database holds (it keeps every run's hash and log), and never a worker that is gone.
 */
@OrchestratorTest
class WorkerRegistryTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final Pattern SCAN_CALLS = Pattern.compile("cmdstat_scan:calls=(\\d+)");

    @Autowired
    WorkerRegistry registry;

    TestRedis redis = TestRedis.shared();

    @Test
    void findsTheAnnouncedWorkersWithoutScanningTheKeyspace() {
        String filler = "worker-registry-test:" + UUID.randomUUID() + ":";
        // Twenty thousand other keys, as a database holding a few thousand runs has.
        redis.command("EVAL", "for i = 1, 20000 do redis.call('SET', ARGV[1] .. i, 'x', 'EX', 120) end return 0",
                "0", filler);
        String id = "registry-" + UUID.randomUUID();
        StubGpuWorker.announce(redis, registration(id, System.currentTimeMillis()));
        long scansBefore = scans();

        List<String> live = registry.live().map(WorkerRegistration::workerId).collectList().block(T);

        assertThat(live).contains(id);
        assertThat(scans()).as("SCAN commands while finding the workers").isEqualTo(scansBefore);
    }

    @Test
    void aWorkerWhoseKeyExpiredOrWhoseIndexEntryIsForgottenIsNotLive() {
        String expired = "registry-expired-" + UUID.randomUUID();
        String forgotten = "registry-forgotten-" + UUID.randomUUID();
        String live = "registry-live-" + UUID.randomUUID();
        long now = System.currentTimeMillis();
        StubGpuWorker.announce(redis, registration(expired, now));
        redis.command("DEL", StubGpuWorker.REGISTRY.worker(expired));
        StubGpuWorker.announce(redis, registration(forgotten, now));
        redis.command("ZADD", StubGpuWorker.REGISTRY.index(),
                Long.toString(now - RegistryKeys.FORGET_AFTER.toMillis() - 1000), forgotten);
        StubGpuWorker.announce(redis, registration(live, now));

        List<String> found = registry.live().map(WorkerRegistration::workerId).collectList().block(T);

        assertThat(found).contains(live).doesNotContain(expired, forgotten);
        assertThat(registry.find(live).block(T)).isNotNull();
        assertThat(registry.find(expired).blockOptional(T)).isEmpty();
    }

    private static WorkerRegistration registration(String id, long at) {
        return new WorkerRegistration(id, "http://127.0.0.1:1", "stub-model", 4, 0, 1L << 30, at, false);
    }

    private long scans() {
        Matcher m = SCAN_CALLS.matcher(String.valueOf(redis.command("INFO", "commandstats")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
