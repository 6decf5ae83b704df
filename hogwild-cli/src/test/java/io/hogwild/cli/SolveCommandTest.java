package io.hogwild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The solve client against a real HTTP server on loopback. The server is a test double of the gateway that serves
 * canned answers in the gateway's public format (202 with the run id, an SSE stream of RunEvent JSON): it exists to
 * test this client's own logic (request, SSE parsing, resuming, output, exit codes), not the gateway. The client
 * against the real platform is exercised by `./hogwild solve`.
 */
class SolveCommandTest {

    private static final String KEY = "test-key";

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<JsonNode> createBodies = new CopyOnWriteArrayList<>();
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private HttpServer server;

    /** What the fake gateway streams: one entry per connection to the events endpoint. */
    private List<String> streamBodies = List.of();
    private String finalAnswerOfRecord;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/runs", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        if (!("Bearer " + KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                            + "\"detail\":\"missing or unknown API key\"}");
            return;
        }
        if (path.equals("/v1/runs") && exchange.getRequestMethod().equals("POST")) {
            JsonNode body = json.readTree(exchange.getRequestBody());
            createBodies.add(body);
            if (body.path("problem").asString().contains("too long")) {
                send(exchange, 400, "application/problem+json", "{\"title\":\"Bad Request\",\"status\":400,"
                        + "\"detail\":\"problem is longer than the model's context\",\"field\":\"problem\"}");
                return;
            }
            send(exchange, 202, "application/json",
                    "{\"id\":\"r-1\",\"status\":\"RUNNING\",\"links\":{\"events\":\"/v1/runs/r-1/events\"}}");
        } else if (path.equals("/v1/runs/r-1/events")) {
            lastEventIds.add(String.valueOf(exchange.getRequestHeaders().getFirst("Last-Event-ID")));
            int n = streams.getAndIncrement();
            send(exchange, 200, "text/event-stream", n < streamBodies.size() ? streamBodies.get(n) : "");
        } else if (path.equals("/v1/runs/r-1")) {
            send(exchange, 200, "application/json", "{\"id\":\"r-1\",\"status\":\"FINISHED\",\"final_answer\":"
                    + (finalAnswerOfRecord == null ? "null" : "\"" + finalAnswerOfRecord + "\"") + "}");
        } else {
            send(exchange, 404, "application/problem+json", "{\"status\":404,\"detail\":\"no such thing\"}");
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static String sse(String id, String type, String json) {
        return "id: " + id + "\nevent: " + type + "\ndata: " + json + "\n\n";
    }

    /** A RunEvent as the gateway writes it: the envelope, its {@code type} and the type's {@code data}. */
    private static String event(String id, String type, String data) {
        return "{\"id\":\"" + id + "\",\"run_id\":\"r-1\",\"at_millis\":1719830000000,\"session_seq\":null,"
                + "\"lockstep\":null,\"data\":" + data + ",\"type\":\"" + type + "\"}";
    }

    private int solve(String... args) {
        Map<String, String> env = Map.of("HOGWILD_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "HOGWILD_API_KEY", KEY);
        return new SolveCommand(print(out), print(err)).run(args, env);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createsTheRunFollowsItsStepsAndPrintsTheAnswer() {
        streamBodies = List.of(": connected\n\n"
                + sse("1-0", "run_queued", event("1-0", "RUN_QUEUED",
                        "{\"layout\":\"COMBINED\",\"workers\":[\"Alice\",\"Bob\"]}"))
                + sse("2-0", "tokens", event("2-0", "TOKENS", "{\"worker\":\"Alice\",\"step\":1,\"token_ids\":[40],"
                        + "\"text\":\"I'll\",\"eos\":false}"))
                + sse("3-0", "step_finished", event("3-0", "STEP_FINISHED", "{\"worker\":\"Alice\",\"step\":1,"
                        + "\"text\":\"I'll add: 2+3.\",\"tokens\":7,\"view\":[{\"block\":\"prompt\",\"length\":30}],"
                        + "\"end\":\"separator\"}"))
                + sse("4-0", "step_finished", event("4-0", "STEP_FINISHED", "{\"worker\":\"Bob\",\"step\":1,"
                        + "\"text\":\"I check\\nAlice: \\\\boxed{5}\",\"tokens\":8,\"view\":[],\"end\":\"separator\"}"))
                + sse("5-0", "some_future_event", event("5-0", "SOME_FUTURE_EVENT", "{\"what\":1}"))
                + sse("6-0", "final_answer", event("6-0", "FINAL_ANSWER",
                        "{\"worker\":\"Bob\",\"step\":1,\"answer\":\"5\"}"))
                + sse("7-0", "run_ended", event("7-0", "RUN_ENDED",
                        "{\"status\":\"FINISHED\",\"finish_reason\":\"answer\",\"failure_reason\":null}")));

        int code = solve("What is 2+3?", "--workers", "2", "--layout", "combined", "--seed", "7");

        assertThat(code).isZero();
        assertThat(stdout()).isEqualTo("Alice [1]: I'll add: 2+3.\nBob [1]: I check Alice: \\boxed{5}\nAnswer: 5\n");
        assertThat(stderr()).contains("run r-1 accepted");
        JsonNode body = createBodies.get(0);
        assertThat(body.path("problem").asString()).isEqualTo("What is 2+3?");
        assertThat(body.path("workers").asInt()).isEqualTo(2);
        assertThat(body.path("layout").asString()).isEqualToIgnoringCase("combined");
        assertThat(body.path("seed").asLong()).isEqualTo(7);
        assertThat(body.has("temperature")).isFalse(); // left to the gateway's default
        assertThat(lastEventIds).containsExactly("null");
    }

    @Test
    void resumesAfterTheLastEventIdWhenTheStreamDrops() {
        streamBodies = List.of(
                sse("1-0", "step_finished", event("1-0", "STEP_FINISHED",
                        "{\"worker\":\"Alice\",\"step\":1,\"text\":\"a\",\"tokens\":1,\"view\":[],"
                                + "\"end\":\"separator\"}"))
                        + "id: 2-0\ndata: {\"type\":\"STEP_FIN", // cut mid-event
                sse("2-0", "budget_exhausted", event("2-0", "BUDGET_EXHAUSTED",
                        "{\"worker\":\"Alice\",\"step\":1,\"tokens\":1}"))
                        + sse("3-0", "run_ended", event("3-0", "RUN_ENDED", "{\"status\":\"FINISHED\","
                        + "\"finish_reason\":\"budget\"}")));

        assertThat(solve("p")).isZero();
        assertThat(lastEventIds).containsExactly("null", "1-0");
        assertThat(stdout()).isEqualTo("Alice [1]: a\nAlice: token budget used up\n"
                + "No answer (budget exhausted)\n");
    }

    @Test
    void takesTheAnswerFromTheRunRecordWhenTheStreamHadNone() {
        finalAnswerOfRecord = "42";
        streamBodies = List.of(sse("9-0", "run_ended",
                event("9-0", "RUN_ENDED", "{\"status\":\"FINISHED\",\"finish_reason\":\"answer\"}")));
        assertThat(solve("p")).isZero();
        assertThat(stdout()).isEqualTo("Answer: 42\n");
        assertThat(requests).contains("GET /v1/runs/r-1");
    }

    @Test
    void failsWithOneLineWhenTheStreamNeverEnds() {
        streamBodies = List.of(); // every connection closes at once without events
        assertThat(solve("p")).isEqualTo(1);
        assertThat(stderr()).endsWith("hogwild solve: the event stream of run r-1 ended before the run did\n");
        assertThat(streams.get()).isEqualTo(SolveCommand.STREAM_RECONNECTS + 1);
    }

    @Test
    void reportsTheGatewaysProblemInOneLine() {
        assertThat(solve("this is too long")).isEqualTo(1);
        assertThat(stderr()).isEqualTo("hogwild solve: could not create the run: "
                + "HTTP 400: problem is longer than the model's context (field problem)\n");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void reportsAWrongKey() {
        int code = new SolveCommand(print(out), print(err)).run(new String[] {"p"}, Map.of(
                "HOGWILD_URL", "http://127.0.0.1:" + server.getAddress().getPort(), "HOGWILD_API_KEY", "wrong"));
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).isEqualTo("hogwild solve: could not create the run: HTTP 401: missing or unknown API key\n");
    }

    @Test
    void reportsAGatewayThatIsNotThere() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        int code = new SolveCommand(print(out), print(err)).run(new String[] {"p", "--url", "http://127.0.0.1:" + port},
                Map.of("HOGWILD_API_KEY", KEY));
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).isEqualTo("hogwild solve: cannot reach the gateway at http://127.0.0.1:" + port
                + " (is the platform up?)\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                | no problem given",
        "'   '                             | no problem given",
        "--workers 2                       | no problem given",
        "p --workers                       | --workers needs a value",
        "p --workers 0                     | --workers must be an integer from 1 to 8, got '0'",
        "p --workers 9                     | --workers must be an integer from 1 to 8, got '9'",
        "p --workers two                   | --workers must be an integer from 1 to 8, got 'two'",
        "p --layout diagonal               | --layout must be one of combined, interleaved, contiguous, independent, single",
        "p --layout single --workers 2     | layout 'single' runs one worker",
        "p --max-tokens -5                 | --max-tokens must be a positive integer, got '-5'",
        "p --max-tokens 0                  | --max-tokens must be a positive integer, got '0'",
        "p --temperature hot               | --temperature must be a number from 0 to 5",
        "p --seed 1.5                      | --seed must be an integer, got '1.5'",
        "p --url ftp://x                   | gateway URL must be http(s)://host[:port]",
        "p --verbose                       | unknown option '--verbose'",
        "p q                               | one problem only",
    })
    void rejectsBadArgumentsWithExitCodeTwoAndOneLine(String line, String message) {
        String[] args = line.isEmpty() ? new String[] {""} : line.strip().split(" +");
        if (line.isBlank()) {
            args = new String[] {line};
        }
        assertThat(solve(args)).isEqualTo(2);
        assertThat(stderr()).startsWith("hogwild solve: " + message).endsWith("\n");
        assertThat(stderr().strip()).doesNotContain("\n");
        assertThat(requests).isEmpty();
    }

    @Test
    void needsTheApiKeyUnlessOnlyChecking() {
        SolveCommand command = new SolveCommand(print(out), print(err));
        assertThat(command.run(new String[] {"p"}, Map.of())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("hogwild solve: HOGWILD_API_KEY is not set: export the user API key of "
                + "the gateway\n");
        assertThat(command.run(new String[] {"p", "--workers", "3", "--check"}, Map.of())).isZero();
        assertThat(requests).isEmpty();
    }

    @Test
    void printsUsageOnHelp() {
        assertThat(solve("--help")).isZero();
        assertThat(stdout()).startsWith("usage: hogwild solve \"PROBLEM\"");
    }
}
