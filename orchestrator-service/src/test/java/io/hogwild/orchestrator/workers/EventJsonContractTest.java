package io.hogwild.orchestrator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.contracts.Layout;
import io.hogwild.contracts.event.EventData;
import io.hogwild.contracts.event.EventType;
import io.hogwild.contracts.run.AnswerGiven;
import io.hogwild.contracts.run.BlockExtent;
import io.hogwild.contracts.run.RunEvent;
import io.hogwild.contracts.run.RunStatus;
import io.hogwild.contracts.worker.SessionEvent;
import io.hogwild.web.ServiceWebAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ClientCodecConfigurer;
import org.springframework.http.codec.CodecConfigurer;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.mock.http.client.reactive.MockClientHttpResponse;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The event contract between the services, for every event type: what the GPU worker's HTTP codecs write (its
 * NDJSON event stream) the orchestrator's HTTP codecs read back as equal records, and what the orchestrator stores
 * and serves it reads back as equal records too. Each side's codecs are built as its Spring Boot context builds them:
 * Boot's Jackson and codec auto-configuration plus the service's own JSON customizer.
 */
class EventJsonContractTest {

    // Both services take their JSON dialect from service-web's auto-configuration; each side is still built as its
    // own context, so a service that stopped using it (or overrode it) would be caught here.
    private static final ApplicationContextRunner GPU_WORKER = service();
    private static final ApplicationContextRunner ORCHESTRATOR = service();
    private static final ResolvableType SESSION_EVENT = ResolvableType.forClass(SessionEvent.class);

    private static ApplicationContextRunner service() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
                        ServiceWebAutoConfiguration.class))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new);
    }

    /** One event of every type, every field set to something other than its default, so a dropped one shows. */
    static List<EventData> oneOfEachType() {
        Map<String, Integer> prefill = new LinkedHashMap<>();
        prefill.put("prompt", 120);
        prefill.put("history", 3);
        prefill.put("step-alice", 0);
        return List.of(
                new EventData.RunQueued(Layout.INTERLEAVED, List.of("Alice", "Bob")),
                new EventData.RunStarted("gpu-7", "session-1"),
                new EventData.RunResumed("gpu-7", "gpu-8", 41),
                new EventData.SessionStarted(Layout.COMBINED, List.of("Alice", "Bob", "Carol")),
                new EventData.PrefillFinished(prefill, List.of(new EventData.BlockContent("prompt", List.of(1, 2),
                        "Hi"))),
                new EventData.PassWritten(3, List.of(new EventData.WorkerWrite("Alice", List.of(4, 5), ".\n\n**A"))),
                new EventData.StepStarted("Alice", 2, "**Alice [2]:** "),
                new EventData.SelfCheckInserted("Bob", 3, " Am I repeating someone?", 1024),
                new EventData.Tokens("Alice", 2, List.of(11, 12, 13), "ü\"\n", true),
                new EventData.StepFinished("Bob", 3, "**Bob [3]:** 2+2=4.\n\n", 9,
                        List.of(new BlockExtent("prompt", 120), new BlockExtent("step-bob", 17)), "max_step_tokens",
                        "no"),
                new EventData.StepPromoted("Bob", 3, "step-bob", "history", 17, 40),
                new EventData.BudgetExhausted("Carol", 5, 256),
                new EventData.FinisherStarted("Time is up: \\boxed{", 9),
                new EventData.FinisherFinished(List.of(7, 8), "42}", "42"),
                new EventData.FinalAnswer("42", null, null),
                new EventData.SessionFinished("budget", 77, 512, "42", List.of(new AnswerGiven("41", List.of("Bob")),
                        new AnswerGiven("42", List.of("Carol", AnswerGiven.FINISHER))), true),
                new EventData.Error("out of cache", "java.lang.IllegalStateException"),
                new EventData.CancelRequested(),
                new EventData.RunEnded(RunStatus.FAILED, "error", "GPU worker gpu-7 disappeared"),
                new EventData.QueuePosition(3));
    }

    @Test
    void theSamplesHaveEveryEventTypeOnce() {
        assertThat(oneOfEachType()).extracting(EventData::type).containsExactlyInAnyOrder(EventType.values());
    }

    @Test
    void whatTheGpuWorkerStreamsTheOrchestratorReadsBackEqual() {
        List<SessionEvent> sent = new ArrayList<>();
        for (EventData data : oneOfEachType()) {
            long seq = sent.size() + 1;
            sent.add(new SessionEvent("session-1", seq, 1_719_830_000_000L + seq, 10 * seq, data));
        }
        GPU_WORKER.run(worker -> {
            String ndjson = writeNdjson(worker, sent);
            assertTopLevelTypes(JsonMapper.builder().build(), ndjson.lines().toList(), sent.stream()
                    .map(SessionEvent::type).toList());
            ORCHESTRATOR.run(orchestrator -> assertThat(readNdjson(orchestrator, ndjson))
                    .containsExactlyElementsOf(sent));
        });
    }

    @Test
    void whatTheOrchestratorRecordsAndServesItReadsBackEqual() {
        ORCHESTRATOR.run(orchestrator -> {
            JsonMapper json = orchestrator.getBean(JsonMapper.class);
            List<RunEvent> recorded = new ArrayList<>();
            for (EventData data : oneOfEachType()) {
                long n = recorded.size() + 1;
                recorded.add(new RunEvent("1719830000000-" + n, "run-1", 1_719_830_000_000L + n, n, 10 * n, data));
            }
            List<String> written = recorded.stream().map(json::writeValueAsString).toList();
            assertTopLevelTypes(json, written, recorded.stream().map(RunEvent::type).toList());
            assertThat(written).extracting(one -> json.readValue(one, RunEvent.class))
                    .containsExactlyElementsOf(recorded);
        });
    }

    /** The type is the envelope's, beside {@code data}, in the vocabulary's names; the data has none of its own. */
    private static void assertTopLevelTypes(JsonMapper json, List<String> documents, List<EventType> types) {
        assertThat(documents).hasSameSizeAs(types);
        for (int i = 0; i < documents.size(); i++) {
            JsonNode node = json.readTree(documents.get(i));
            assertThat(node.path("type").asString()).as(documents.get(i)).isEqualTo(types.get(i).name());
            assertThat(node.path("data").isObject()).as(documents.get(i)).isTrue();
            assertThat(node.path("data").has("type")).as(documents.get(i)).isFalse();
        }
    }

    /** The event stream as the GPU worker's server codecs write it for {@code Accept: application/x-ndjson}. */
    private static String writeNdjson(ApplicationContext worker, List<SessionEvent> events) {
        ServerCodecConfigurer codecs = customized(ServerCodecConfigurer.create(), worker);
        @SuppressWarnings("unchecked")
        HttpMessageWriter<SessionEvent> writer = (HttpMessageWriter<SessionEvent>) codecs.getWriters().stream()
                .filter(w -> w.canWrite(SESSION_EVENT, MediaType.APPLICATION_NDJSON)).findFirst().orElseThrow();
        MockServerHttpResponse response = new MockServerHttpResponse();
        writer.write(Flux.fromIterable(events), SESSION_EVENT, MediaType.APPLICATION_NDJSON, response, Map.of())
                .block();
        return response.getBodyAsString().block();
    }

    /** The stream as the orchestrator's client codecs (its WebClient to the GPU worker) read it. */
    private static List<SessionEvent> readNdjson(ApplicationContext orchestrator, String ndjson) {
        ClientCodecConfigurer codecs = customized(ClientCodecConfigurer.create(), orchestrator);
        HttpMessageReader<?> reader = codecs.getReaders().stream()
                .filter(r -> r.canRead(SESSION_EVENT, MediaType.APPLICATION_NDJSON)).findFirst().orElseThrow();
        MockClientHttpResponse response = new MockClientHttpResponse(HttpStatus.OK);
        response.getHeaders().setContentType(MediaType.APPLICATION_NDJSON);
        response.setBody(ndjson, StandardCharsets.UTF_8);
        return reader.read(SESSION_EVENT, response, Map.of()).cast(SessionEvent.class).collectList().block();
    }

    private static <C extends CodecConfigurer> C customized(C codecs, ApplicationContext service) {
        service.getBeanProvider(CodecCustomizer.class).orderedStream().forEach(c -> c.customize(codecs));
        return codecs;
    }
}
