package io.hogwild.orchestrator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.run.HistoryEntry;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.redis.RedisExtension;
import io.hogwild.testing.redis.TestRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Collaboration behaviour end to end, with the bundled demo model (trained by the project, models/hogwild-demo) in
 * the real GPU worker service, the orchestrator and a real Redis: two workers in the combined layout split a
 * problem's items between them through the shared cache and one of them writes the correct final answer.
 */
@ExtendWith(RedisExtension.class)
class DemoModelCollaborationEndToEndTest {

    /** A held-out problem of the demo family (the test split of ProblemGenerator) and its answer. */
    static final String PROBLEM = "Compute every item, then answer with each letter and its result: "
            + "A=6-3, B=9-0, C=0+5, D=1*3, E=9-4, F=3*1, G=4+2, H=4-4.";
    static final String ANSWER = "A3B9C5D3E5F3G6H0";
    private static final Pattern COMPUTED = Pattern.compile("([A-H]): \\d[-+*]\\d=\\d");

    private ConfigurableApplicationContext gpuWorker;
    private ConfigurableApplicationContext orchestrator;

    /** Checks that the committed demo model is there: a checkout without it fails this test rather than skipping it. */
    static void requireDemoModel() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("models/hogwild-demo/model.safetensors"))) {
                return;
            }
        }
        throw new AssertionError("The committed demo model models/hogwild-demo (model.safetensors) is missing: "
                + "looked in " + start + " and every directory above. Restore it from git, or retrain it with "
                + "./hogwild demo-model train.");
    }

    @AfterEach
    void stop() {
        if (orchestrator != null) {
            orchestrator.close();
        }
        if (gpuWorker != null) {
            gpuWorker.close();
        }
    }

    @Test
    void twoWorkersSplitTheItemsAndAnswer(TestRedis redis) {
        requireDemoModel();
        redis.flushAll();
        gpuWorker = CollaborativeRunEndToEndTest.startGpuWorker("models/hogwild-demo", "e2e-demo");
        orchestrator = CollaborativeRunEndToEndTest.startOrchestrator();
        CollaborativeRunEndToEndTest.awaitRegistration(redis, "e2e-demo");
        WebTestClient http = StubGpuWorker.client(CollaborativeRunEndToEndTest.port(orchestrator));

        // Greedy decoding and a budget that fits the demo model's 2048-token context with two workers (a run takes
        // about 90 tokens per worker); everything else the platform's defaults.
        RunRequest request = new RunRequest(PROBLEM, 2, Layout.COMBINED, 256, null, 0.0, null, null, 1L, null, null,
                null, null, null);
        RunView created = http.post().uri("/internal/runs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(request).exchange().expectStatus().isAccepted()
                .expectBody(RunView.class).returnResult().getResponseBody();
        RunView run = await("run " + created.runId() + " ended").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> http.get().uri("/internal/runs/{id}", created.runId()).exchange().expectStatus().isOk()
                                .expectBody(RunView.class).returnResult().getResponseBody(),
                        view -> view.status() != RunStatus.QUEUED && view.status() != RunStatus.RUNNING);
        RunTranscript transcript = http.get().uri("/admin/runs/{id}/transcript", run.runId()).exchange()
                .expectStatus().isOk().expectBody(RunTranscript.class).returnResult().getResponseBody();

        assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.finishReason()).as(transcript.toString()).isEqualTo("answer");
        assertThat(run.finalAnswer()).isEqualTo(ANSWER);
        Map<String, Set<Character>> computed = new HashMap<>();
        for (HistoryEntry step : transcript.history()) {
            Matcher m = COMPUTED.matcher(step.text());
            while (m.find()) {
                computed.computeIfAbsent(step.worker(), w -> new HashSet<>()).add(m.group(1).charAt(0));
            }
        }
        assertThat(computed).containsOnlyKeys("Alice", "Bob");
        Set<Character> overlap = new HashSet<>(computed.get("Alice"));
        overlap.retainAll(computed.get("Bob"));
        assertThat(overlap).as("items computed by both").isEmpty();
        assertThat(computed.get("Alice").size() + computed.get("Bob").size()).isEqualTo(8);
    }
}
