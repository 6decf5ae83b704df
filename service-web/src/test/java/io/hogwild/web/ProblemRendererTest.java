package io.hogwild.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.web.testapp.TestApplication;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.core.type.TypeReference;

/**
 * Every branch of the problem renderer, over real HTTP against a tiny service on the shared web stack: each failure
 * is an {@code application/problem+json} document of the same shape, naming the field where there is one.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class ProblemRendererTest {

    @Value("${local.server.port}")
    int port;

    private WebTestClient http() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    /** The members and headers every problem has; returns the document. */
    private Map<String, Object> problem(WebTestClient.ResponseSpec response, int status, String slug, String path) {
        byte[] bytes = response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody();
        String text = new String(bytes, StandardCharsets.UTF_8);
        Map<String, Object> problem = ServiceJson.mapper().readValue(bytes, new TypeReference<>() { });
        assertThat(problem).as(text).containsEntry("type", "urn:hogwild:problem:" + slug)
                .containsEntry("status", status).containsEntry("instance", path)
                .containsKeys("title", "detail");
        assertThat(text).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("trace");
        return problem;
    }

    private WebTestClient.ResponseSpec postThing(String json) {
        return http().post().uri("/things").contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    @Test
    void aValidBodyPassesInTheServicesJsonDialect() {
        postThing("{\"name\": \"box\", \"count\": 2, \"kind\": \"large\", \"parts\": [{\"part_name\": \"lid\", "
                + "\"weight_grams\": 5}], \"seen_at\": \"2025-01-02T03:04:05Z\"}")
                .expectStatus().isOk().expectBody()
                .jsonPath("$.kind").isEqualTo("LARGE")
                .jsonPath("$.parts[0].part_name").isEqualTo("lid")
                .jsonPath("$.seen_at").isEqualTo("2025-01-02T03:04:05Z");
    }

    @Test
    void anApiExceptionKeepsItsStatusTypeFieldPropertiesAndHeaders() {
        WebTestClient.ResponseSpec busy = http().get().uri("/busy?retry_after_ms=1500").exchange();
        busy.expectHeader().valueEquals("X-Test", "yes").expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "2");
        Map<String, Object> problem = problem(busy, 503, "test-busy", "/busy");
        assertThat(problem).containsEntry("title", "Busy").containsEntry("detail", "no room right now")
                .containsEntry("queue_length", 3).containsEntry("retry_after_seconds", 2).doesNotContainKey("field");

        assertThat(problem(http().delete().uri("/things/7").exchange(), 409, "conflict", "/things/7"))
                .containsEntry("field", "id").containsEntry("detail", "thing 7 is in use");
        assertThat(problem(http().get().uri("/things/7").exchange(), 404, "not-found", "/things/7"))
                .containsEntry("detail", "no thing 7").doesNotContainKey("retry_after_seconds");
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "999, 1", "1000, 1", "1001, 2", "2000, 2", "30000, 30"})
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne(long millis, int seconds) {
        WebTestClient.ResponseSpec busy = http().get().uri("/busy?retry_after_ms=" + millis).exchange();
        busy.expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, Integer.toString(seconds));
        assertThat(problem(busy, 503, "test-busy", "/busy")).containsEntry("retry_after_seconds", seconds);
    }

    @Test
    void anApiExceptionAmongTheCausesIsTheAnswer() {
        assertThat(problem(http().get().uri("/wrapped").exchange(), 404, "not-found", "/wrapped"))
                .containsEntry("detail", "the inner problem");
    }

    @Test
    void malformedJsonSaysWhereTheParserStoppedWithoutEchoingTheBody() {
        Map<String, Object> problem = problem(postThing("{\"name\": \"secret-value\", "), 400, "malformed-json",
                "/things");
        assertThat((String) problem.get("detail")).startsWith("the request body is not valid JSON (line 1, column")
                .doesNotContain("secret-value");
        assertThat(problem).doesNotContainKey("field");
    }

    @Test
    void valuesOfTheWrongTypeNameTheirFieldAsTheClientSpelledIt() {
        assertThat(problem(postThing("{\"name\": \"box\", \"count\": \"many\"}"), 400, "invalid-request", "/things"))
                .containsEntry("field", "count").containsEntry("detail", "count: 'many' is not a valid integer");
        assertThat(problem(postThing("{\"name\": \"box\", \"count\": 2.5}"), 400, "invalid-request", "/things"))
                .containsEntry("field", "count");
        assertThat(problem(postThing("{\"name\": 5}"), 400, "invalid-request", "/things"))
                .containsEntry("field", "name").containsEntry("detail", "name: '5' is not a valid string");
        assertThat(problem(postThing("{\"name\": \"box\", \"parts\": [{\"part_name\": \"a\"}, "
                + "{\"part_name\": \"b\", \"weight_grams\": [1]}]}"), 400, "invalid-request", "/things"))
                .containsEntry("field", "parts[1].weight_grams");
        assertThat(problem(postThing("{\"name\": \"box\", \"parts\": \"many\"}"), 400, "invalid-request", "/things"))
                .containsEntry("field", "parts").containsEntry("detail", "parts: expected array");
    }

    @Test
    void unknownEnumValuesListTheAllowedOnesAndAnyCaseIsAccepted() {
        assertThat(problem(postThing("{\"name\": \"box\", \"kind\": \"huge\"}"), 400, "invalid-request", "/things"))
                .containsEntry("field", "kind")
                .containsEntry("detail", "kind: unknown value 'huge'; expected one of small, large");
        for (String kind : List.of("small", "SMALL", "Small")) {
            postThing("{\"name\": \"box\", \"kind\": \"" + kind + "\"}").expectStatus().isOk()
                    .expectBody().jsonPath("$.kind").isEqualTo("SMALL");
        }
    }

    @Test
    void beanValidationNamesTheFirstFieldInSnakeCaseAndListsAll() {
        Map<String, Object> problem = problem(postThing("{\"count\": 0, \"parts\": [{\"part_name\": \" \"}]}"), 400,
                "invalid-request", "/things");
        assertThat(problem).containsEntry("field", "count");
        assertThat((String) problem.get("detail")).startsWith("count: ").contains("; name: ")
                .contains("; parts[0].part_name: ");
        List<?> errors = (List<?>) problem.get("errors");
        assertThat(errors.stream().map(e -> (Object) ((Map<?, ?>) e).get("field")).toList())
                .containsExactly((Object) "count", "name", "parts[0].part_name");
        assertThat(problem(postThing("{}"), 400, "invalid-request", "/things")).containsEntry("field", "name");
    }

    @Test
    void missingBodiesAndParametersAreNamed() {
        assertThat(problem(http().post().uri("/things").contentType(MediaType.APPLICATION_JSON).exchange(), 400,
                "invalid-request", "/things"))
                .containsEntry("detail", "the request body is missing; send a JSON object").doesNotContainKey("field");
        assertThat(problem(http().get().uri("/page").exchange(), 400, "invalid-request", "/page"))
                .containsEntry("field", "page_size");
        assertThat(problem(http().get().uri("/page?page_size=ten").exchange(), 400, "invalid-request", "/page"))
                .containsEntry("field", "page_size");
    }

    @Test
    void routingAndMediaTypeErrorsKeepTheirStatus() {
        problem(http().get().uri("/nothing-here").exchange(), 404, "not-found", "/nothing-here");
        WebTestClient.ResponseSpec wrongMethod = http().put().uri("/things").exchange();
        wrongMethod.expectHeader().value(HttpHeaders.ALLOW, allow -> assertThat(allow).contains("POST"));
        problem(wrongMethod, 405, "method-not-allowed", "/things");
        problem(http().get().uri("/things/1").accept(MediaType.APPLICATION_XML).exchange(), 406, "not-acceptable",
                "/things/1");
        problem(http().post().uri("/things").contentType(MediaType.TEXT_PLAIN).bodyValue("box").exchange(), 415,
                "unsupported-media-type", "/things");
    }

    @Test
    void oversizedBodiesAre413WithOrWithoutContentLengthAndAboveTheCodecLimit() {
        String tooLarge = "{\"name\": \"" + "x".repeat(5000) + "\"}";
        assertThat(problem(postThing(tooLarge), 413, "payload-too-large", "/things"))
                .containsEntry("max_bytes", (int) TestApplication.MAX_BODY_BYTES);
        Flux<DataBuffer> chunks = Flux.range(0, 10).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(
                "y".repeat(1000).getBytes(StandardCharsets.UTF_8)));
        problem(http().post().uri("/text").contentType(MediaType.TEXT_PLAIN).body(chunks, DataBuffer.class)
                .exchange(), 413, "payload-too-large", "/text");
        // Under the filter's limit but over the codec's in-memory limit (1 KB in the test application).
        assertThat(problem(http().post().uri("/text").contentType(MediaType.TEXT_PLAIN).bodyValue("z".repeat(2000))
                .exchange(), 413, "payload-too-large", "/text")).doesNotContainKey("max_bytes");
    }

    @Test
    void unexpectedErrorsAreAGeneric500AndLoggedHere(CapturedOutput output) {
        WebTestClient.ResponseSpec boom = http().get().uri("/boom").exchange();
        String body = new String(boom.expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain("hunter2").doesNotContain("IllegalState");
        assertThat(problem(http().get().uri("/boom").exchange(), 500, "internal", "/boom"))
                .containsEntry("detail", "the service hit an unexpected error; it has been logged");
        assertThat(output.getAll()).contains("unexpected error").contains("the database password is hunter2")
                .contains("TestController.boom");
    }

    @Test
    void expectedServerErrorsAreLoggedWithTheirCauseButNoStack(CapturedOutput output) {
        assertThat(problem(http().get().uri("/upstream-down").exchange(), 502, "upstream-down", "/upstream-down"))
                .containsEntry("detail", "the upstream service is down");
        assertThat(output.getAll()).contains("502: the upstream service is down (java.io.IOException: Connection "
                + "refused)").doesNotContain("TestController.upstreamDown");
    }

    @Test
    void aStreamThatBreaksAfterItsFirstEventEndsWithoutAProblem() {
        List<String> events = http().get().uri("/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(String.class).getResponseBody()
                .onErrorComplete().collectList().block(Duration.ofSeconds(30));
        assertThat(events).containsExactly("first");
    }

    @Test
    void aTypeThatRefusesUnknownFieldsNamesTheFieldAndTheKnownOnes() {
        Map<String, Object> problem = problem(http().post().uri("/strict-things").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"box\", \"cuont\": 3}").exchange(), 400, "invalid-request", "/strict-things");
        assertThat(problem).containsEntry("field", "cuont")
                .containsEntry("detail", "cuont: unknown field; the fields here are count, inner, name, options");
        assertThat(problem(http().post().uri("/strict-things").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"box\", \"options\": {\"max_size\": 1, \"min_size\": 0}}").exchange(), 400,
                "invalid-request", "/strict-things")).containsEntry("field", "options.min_size");
    }

    @Test
    void typesThatDoNotAskForItStayLenientEvenInsideAStrictOne() {
        postThing("{\"name\": \"box\", \"colour\": \"red\", \"parts\": [{\"part_name\": \"lid\", \"x\": 1}]}")
                .expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("box");
        http().post().uri("/strict-things").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"box\", \"inner\": {\"name\": \"lid\", \"colour\": \"red\"}}").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.inner.name").isEqualTo("lid");
    }

    @Test
    void aProblemFormatWritesTheBodyWhileStatusAndListenersStay() {
        http().get().uri("/other-format/things/9").exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().json("{\"failure\": {\"says\": \"no thing 9\", \"about\": \"id\"}}", true);
        assertThat(TestApplication.RENDERED).contains("404 not-found /other-format/things/9");
    }

    @Test
    void listenersHearEveryProblem() {
        http().get().uri("/things/listened").exchange().expectStatus().isNotFound();
        assertThat(TestApplication.RENDERED).contains("404 not-found /things/listened");
    }

    @Test
    void circuitsMadeByTheFactoryAreExported() {
        http().get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
                .value(metrics -> assertThat(metrics).containsPattern(
                        "resilience4j_circuitbreaker_state\\{[^}]*name=\"test-downstream\"[^}]*state=\"closed\"[^}]*} 1"));
    }
}
