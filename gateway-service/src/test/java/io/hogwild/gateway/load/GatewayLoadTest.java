package io.hogwild.gateway.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.ServiceCredentials;
import io.hogwild.testing.redis.RealRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A bounded load test on loopback against a running gateway (with the real orchestrator, GPU worker and Redis
 * behind it): 2000 {@code GET /v1/runs/{id}} and 50 run creations with the tiny model, 16 requests in flight, each
 * phase time-boxed. The gateway's rate limit is set so that the GET phase runs into it: every request must succeed
 * or be refused with 429 by that limit, nothing else. Prints requests per second for both.
 */
@RealRedis
@Tag("load")
class GatewayLoadTest {

    private static final int CONCURRENCY = 16;
    private static final int GETS = 2000;
    private static final int CREATES = 50;
    private static final Pattern ACTIVE = Pattern.compile("\"status\":\"(QUEUED|RUNNING)\"");

    record Outcome(int requests, double seconds, Map<Integer, Integer> statuses, List<String> bodies) {
        double perSecond() {
            return requests / seconds;
        }
    }

    @Test
    void getsAndCreationsUnderLoadFailOnlyByTheRateLimit() throws Exception {
        // 1500 requests at once per key, then 100 per second: the GET phase outruns it, creations (another key) not.
        ConfigurableApplicationContext gateway = Stack.gateway(Stack.orchestratorUrl(),
                "hogwild.gateway.rate-limit.burst=1500", "hogwild.gateway.rate-limit.requests-per-minute=6000",
                "hogwild.gateway.rate-limit.key-prefix=hogwild:test:load:");
        String base = "http://127.0.0.1:" + Stack.port(gateway);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String runBody = "{\"problem\": \"2+2?\", \"workers\": 1, \"layout\": \"single\", "
                + "\"max_tokens_per_worker\": 2, \"max_step_tokens\": 2, \"finisher_tokens\": 0, "
                + "\"enable_thinking\": false}";

        // Run creations (bob's key): every one must be accepted.
        Outcome creates = run(CREATES, i -> HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                .header("Authorization", "Bearer " + Stack.BOB_KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(runBody)).build(), client);
        System.out.printf("LOAD run creation: %d requests, concurrency %d, %.2f s, %.1f requests/s, statuses %s%n",
                creates.requests(), CONCURRENCY, creates.seconds(), creates.perSecond(), creates.statuses());
        assertThat(creates.statuses()).containsOnlyKeys(202);

        // One of them, read 2000 times.
        String runId = Http.map(Http.json(gateway), creates.bodies().get(0).getBytes()).get("id").toString();
        Outcome gets = run(GETS, i -> HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + runId))
                .header("Authorization", "Bearer " + Stack.BOB_KEY)
                .timeout(Duration.ofSeconds(30)).GET().build(), client);
        System.out.printf("LOAD GET /v1/runs/{id}: %d requests, concurrency %d, %.2f s, %.1f requests/s, statuses %s%n",
                gets.requests(), CONCURRENCY, gets.seconds(), gets.perSecond(), gets.statuses());
        assertThat(gets.statuses().keySet()).as("only successes and the rate limit").isSubsetOf(200, 429);
        assertThat(gets.statuses().getOrDefault(200, 0)).isGreaterThanOrEqualTo(1400);

        // For comparison (not asserted): the orchestrator alone, and the gateway without the orchestrator (a 404
        // answered from the owner check in Redis).
        String orchestrator = Stack.orchestratorUrl();
        Outcome direct = run(300, i -> HttpRequest.newBuilder(URI.create(orchestrator + "/internal/runs/" + runId))
                .header("Authorization", ServiceCredentials.bearer())
                .timeout(Duration.ofSeconds(30)).GET().build(), client);
        System.out.printf("LOAD (reference) orchestrator GET /internal/runs/{id} directly: %d requests, %.1f "
                + "requests/s, statuses %s%n", direct.requests(), direct.perSecond(), direct.statuses());
        Outcome edgeOnly = run(300, i -> HttpRequest.newBuilder(URI.create(base + "/v1/runs/not-a-run-" + i))
                .header("Authorization", "Bearer " + Stack.ALICE_KEY).timeout(Duration.ofSeconds(30)).GET().build(),
                client);
        System.out.printf("LOAD (reference) gateway alone (auth, rate limit, owner check -> 404): %d requests, "
                + "%.1f requests/s, statuses %s%n", edgeOnly.requests(), edgeOnly.perSecond(), edgeOnly.statuses());

        // No run was lost: each creation is readable through the gateway by its owner, and ends. (Whether a run
        // finished or failed is the orchestrator's business; failures are printed for the record.)
        int failed = 0;
        for (String body : creates.bodies()) {
            String id = Http.map(Http.json(gateway), body.getBytes()).get("id").toString();
            HttpRequest read = HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + id))
                    .header("Authorization", "Bearer " + Stack.BOB_KEY).GET().build();
            // Polled with the owner's key, whose bucket the GET phase emptied: a 429 is read as "not yet".
            HttpResponse<String> run = await("run " + id + " readable and ended").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.send(read, HttpResponse.BodyHandlers.ofString()), response ->
                            response.statusCode() == 200 && !ACTIVE.matcher(response.body()).find());
            assertThat(run.body()).contains("\"id\":\"" + id + "\"");
            if (run.body().contains("\"status\":\"FAILED\"")) {
                failed++;
                System.out.println("LOAD note: run " + id + " FAILED in the orchestrator: " + run.body());
            }
        }
        System.out.printf("LOAD runs: %d created, %d readable, %d failed in the orchestrator%n", CREATES,
                creates.bodies().size(), failed);
    }

    private static Outcome run(int count, IntFunction<HttpRequest> request, HttpClient client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < CONCURRENCY; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    HttpResponse<String> response = client.send(request.apply(i),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() / 100 == 2) {
                        bodies.add(response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(60, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdownNow();
        return new Outcome(count, seconds, statuses, bodies);
    }
}
