package io.hogwild.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData.RunEnded;
import io.hogwild.contracts.event.EventData.StepFinished;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunRequest;
import io.hogwild.contracts.run.RunResponse;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.run.RunTranscript;
import io.hogwild.contracts.run.RunView;
import io.hogwild.contracts.run.WorkerTranscript;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The client against the real platform in this JVM (GPU worker with the tiny random checkpoint, orchestrator,
 * gateway, a real redis-server): runs created, followed, read back and cancelled; every kind of refusal as its typed
 * exception; and an event stream whose connection is cut mid-run, which must still deliver every event of the run's
 * log exactly once.
 */
@RealRedis
class HogwildClientTest {

    private static final Duration T = Duration.ofSeconds(180);

    private static ConfigurableApplicationContext gateway;
    private static String gatewayUrl;

    @BeforeAll
    static void start() {
        gateway = Stack.gateway(Stack.orchestratorUrl());
        gatewayUrl = "http://127.0.0.1:" + Stack.port(gateway);
    }

    private static HogwildClient client(String key) {
        return HogwildClient.create(gatewayUrl, key);
    }

    /** Random weights babble until their budget: {@code budget} lockstep passes of two workers. */
    private static RunRequest babble(int budget) {
        return new RunRequest("Alice and Bob must find 17 * 23. Split the work.", 2, Layout.COMBINED, budget, 8, 1.0,
                1.0, 0, 7L, 0, 4, false, false, null);
    }

    /** The run's whole log as the orchestrator recorded it (through the gateway's admin proxy). */
    private static List<RunEvent> recordedLog(String runId) {
        return WebClient.builder().baseUrl(gatewayUrl)
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + Stack.ADMIN_KEY)
                .codecs(c -> c.defaultCodecs().jacksonJsonDecoder(new JacksonJsonDecoder(HogwildJson.mapper())))
                .build().get().uri("/admin/runs/{id}/events?limit=10000", runId).retrieve()
                .bodyToMono(new ParameterizedTypeReference<List<RunEvent>>() { }).block(T);
    }

    @Test
    void anEventStreamCutMidRunResumesWithoutLosingOrRepeatingAnEvent() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(Stack.port(gateway))) {
            HogwildClient hogwild = HogwildClient.builder().baseUrl(proxy.url()).apiKey(Stack.ALICE_KEY)
                    .reconnectBackoff(Duration.ofMillis(50)).build();
            RunResponse run = hogwild.createRun(babble(160)).block(T);
            // Accepted into the queue; a free GPU worker may already have started it.
            assertThat(run.status()).isIn(RunStatus.QUEUED, RunStatus.RUNNING);

            List<RunEvent> received = new CopyOnWriteArrayList<>();
            AtomicReference<String> lastBeforeCut = new AtomicReference<>();
            hogwild.events(run.id()).doOnNext(event -> {
                received.add(event);
                // Well into the first steps: the workers have more than a hundred passes to go.
                if (lastBeforeCut.get() == null && event.type() == EventType.TOKENS && received.size() >= 12) {
                    lastBeforeCut.set(event.id());
                    proxy.cutAll();
                }
            }).blockLast(T);

            assertThat(lastBeforeCut.get()).as("the connection was cut").isNotNull();
            List<String> log = recordedLog(run.id()).stream().map(RunEvent::id).toList();
            // A run that waited in the queue also got QUEUE_POSITION events: not part of the log, without id.
            assertThat(received).filteredOn(event -> event.id() == null)
                    .allSatisfy(event -> assertThat(event.type()).isEqualTo(EventType.QUEUE_POSITION));
            assertThat(received.stream().map(RunEvent::id).filter(id -> id != null).toList())
                    .as("every recorded event once, in order").isEqualTo(log);
            assertThat(received.get(received.size() - 1).data()).isInstanceOfSatisfying(RunEnded.class,
                    ended -> assertThat(ended.status()).isEqualTo(RunStatus.FINISHED));

            // The stream was opened again on a new connection, resuming after an event it had delivered.
            List<String> resumedFrom = proxy.requestsByConnection().stream()
                    .map(HogwildClientTest::lastEventIdOfEventRequest).filter(id -> id != null).toList();
            assertThat(resumedFrom).isNotEmpty();
            assertThat(log).contains(resumedFrom.get(0));
            assertThat(log.indexOf(resumedFrom.get(0))).isGreaterThanOrEqualTo(log.indexOf(lastBeforeCut.get()));
        }
    }

    private static String lastEventIdOfEventRequest(String sent) {
        Matcher m = Pattern.compile("GET /v1/runs/[^ ]+/events HTTP/1.1\\r\\n(?:[^\\r\\n]+\\r\\n)*?"
                + "(?i:last-event-id): ([^\\r\\n]+)\\r\\n").matcher(sent);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void aRunIsFollowedToItsEndAndReadBackWithAnAdminKey() {
        HogwildClient alice = client(Stack.ALICE_KEY);
        RunResponse created = alice.createRun(babble(24)).block(T);
        List<RunEvent> events = alice.events(created.id()).collectList().block(T);
        assertThat(events.get(0).type()).isEqualTo(EventType.RUN_QUEUED);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.RUN_ENDED);

        // Resuming after the third event gives exactly the rest (of the log: a QUEUE_POSITION event has no id).
        List<RunEvent> logged = events.stream().filter(event -> event.id() != null).toList();
        assertThat(alice.events(created.id(), logged.get(2).id()).map(RunEvent::id).collectList().block(T))
                .isEqualTo(logged.subList(3, logged.size()).stream().map(RunEvent::id).toList());

        RunResponse run = alice.run(created.id()).block(T);
        assertThat(run.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.workers()).containsExactly("Alice", "Bob");
        assertThat(run.links().events()).isEqualTo("/v1/runs/" + created.id() + "/events");

        HogwildClient admin = client(Stack.ADMIN_KEY);
        RunTranscript transcript = admin.transcript(created.id()).block(T);
        List<String> finished = events.stream().map(RunEvent::data).filter(StepFinished.class::isInstance)
                .map(data -> ((StepFinished) data).text()).toList();
        assertThat(transcript.workers().stream().flatMap(w -> w.steps().stream()).map(s -> s.text()).toList())
                .containsExactlyInAnyOrderElementsOf(finished);
        WorkerTranscript bob = admin.transcript(created.id(), "Bob").block(T);
        assertThat(bob.worker()).isEqualTo("Bob");
        assertThat(admin.runs(RunStatus.FINISHED, 0, 200).block(T).items()).extracting(RunView::runId)
                .contains(created.id());
    }

    @Test
    void aRunningRunIsCancelledAndItsStreamEndsCancelled() {
        HogwildClient alice = client(Stack.ALICE_KEY);
        RunResponse created = alice.createRun(babble(1400)).block(T);
        alice.cancel(created.id()).block(T);
        RunEvent last = alice.events(created.id()).last().block(T);
        assertThat(last.data()).isInstanceOfSatisfying(RunEnded.class,
                ended -> assertThat(ended.status()).isEqualTo(RunStatus.CANCELLED));
        assertThatThrownBy(() -> alice.cancel(created.id()).block(T)).isInstanceOfSatisfying(
                ConflictException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void everyRefusalIsItsTypedException() throws Exception {
        HogwildClient alice = client(Stack.ALICE_KEY);
        assertThatThrownBy(() -> alice.createRun(new RunRequest("p", 9, null, null, null, null, null, null, null,
                null, null, null, null, null)).block(T)).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo("workers");
                    assertThat(e.type()).isEqualTo("urn:hogwild:problem:invalid-request");
                    assertThat(e.getMessage()).startsWith("HTTP 400: workers").endsWith("(field workers)");
                });
        assertThatThrownBy(() -> alice.createRun(new RunRequest("p", 1, null, 4, null, null, null, null, null,
                null, null, null, null, "no-such-model")).block(T)).isInstanceOfSatisfying(NotFoundException.class,
                e -> assertThat(e.type()).isEqualTo("urn:hogwild:problem:model-not-found"));
        assertThatThrownBy(() -> client("not-a-key").run("anything").block(T))
                .isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> alice.run("no-such-run").block(T)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> alice.events("no-such-run").blockLast(T)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> alice.transcript("no-such-run").block(T)).isInstanceOf(ForbiddenException.class);

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> HogwildClient.create("http://127.0.0.1:" + closedPort, Stack.ALICE_KEY)
                .run("x").block(T)).isInstanceOfSatisfying(HogwildConnectionException.class, e -> {
                    assertThat(e.timedOut()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("cannot reach the gateway at http://127.0.0.1:" + closedPort);
                });
    }
}
