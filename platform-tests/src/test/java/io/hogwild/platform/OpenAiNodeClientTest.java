package io.hogwild.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.client.HogwildClient;
import io.hogwild.contracts.run.RunResponse;
import io.hogwild.contracts.run.RunWorkerProgress;
import io.hogwild.testing.redis.RealRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official {@code openai} npm client (7.x, installed by {@code npm ci} from the committed lock file in
 * src/test/node, which .ci/run does) drives the gateway from Node: models list, a chat completion whole and
 * streamed with usage, a request without {@code max_tokens}, and the refusals it must understand (unknown model 404
 * {@code model_not_found}, {@code n: 2} 400 naming {@code n}, a wrong key 401). The script reports what the client
 * saw; the assertions are here.
 */
@RealRedis
class OpenAiNodeClientTest {

    static final Path NODE_PROJECT = Path.of("src/test/node").toAbsolutePath();

    private static JsonNode report;

    @BeforeAll
    static void runTheScript() throws Exception {
        report = JsonMapper.builder().build().readTree(node("openai-compat.mjs", Map.of(
                "GATEWAY_URL", DemoGateway.url(), "API_KEY", DemoGateway.USER_KEY, "MODEL", DemoGateway.MODEL,
                "PROBLEM", DemoGateway.DEMO_PROBLEM)));
    }

    /** Runs a script of the Node project with Node and returns its stdout; fails on a non-zero exit. */
    static String node(String script, Map<String, String> env) throws IOException, InterruptedException {
        if (!Files.isDirectory(NODE_PROJECT.resolve("node_modules/openai"))) {
            throw new IllegalStateException("the openai npm package is not installed: run 'npm ci' in "
                    + NODE_PROJECT + " (.ci/run does)");
        }
        Path stderr = Files.createTempFile("node-stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder("node", script).directory(NODE_PROJECT.toFile())
                .redirectError(stderr.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = process.waitFor(5, TimeUnit.MINUTES);
        if (!exited) {
            process.destroyForcibly();
        }
        String errors = Files.readString(stderr);
        assertThat(exited && process.exitValue() == 0).as("node %s failed:%n%s%n%s", script, stdout, errors).isTrue();
        return stdout;
    }

    @Test
    void listsTheServedModel() {
        assertThat(report.path("models").size()).isEqualTo(1);
        JsonNode model = report.path("models").path(0);
        assertThat(model.path("id").asString()).isEqualTo(DemoGateway.MODEL);
        assertThat(model.path("object").asString()).isEqualTo("model");
    }

    @Test
    void answersLikeTheRunApiWholeAndStreamedWithUsage() {
        String expected = DemoGateway.runApiAnswer(256);
        assertThat(expected).isNotBlank();
        JsonNode chat = report.path("chat");
        assertThat(chat.path("object").asString()).isEqualTo("chat.completion");
        assertThat(chat.path("model").asString()).isEqualTo(DemoGateway.MODEL);
        assertThat(chat.path("content").asString()).isEqualTo(expected);
        assertThat(chat.path("finish_reason").asString()).isEqualTo("stop");
        assertUsageOfRun(chat.path("usage"), chat.path("run_id").asString());

        JsonNode stream = report.path("stream");
        assertThat(stream.path("content").asString()).isEqualTo(expected);
        assertThat(stream.path("finish_reason").asString()).isEqualTo("stop");
        assertThat(stream.path("reasoning_chars").asInt()).as("the collaboration streamed as reasoning").isPositive();
        assertThat(stream.path("usage").path("total_tokens").asInt()).isEqualTo(
                stream.path("usage").path("prompt_tokens").asInt()
                        + stream.path("usage").path("completion_tokens").asInt());
        assertThat(stream.path("usage").path("completion_tokens").asInt()).isPositive();
    }

    /** Completion tokens are every token the run's workers generated; prompt tokens the prefilled prompt. */
    private static void assertUsageOfRun(JsonNode usage, String runId) {
        RunResponse run = HogwildClient.create(DemoGateway.url(), DemoGateway.USER_KEY).run(runId)
                .block(DemoGateway.T);
        int generated = run.progress().stream().mapToInt(RunWorkerProgress::tokens).sum();
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(generated);
        assertThat(usage.path("prompt_tokens").asInt()).isPositive();
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(usage.path("prompt_tokens").asInt() + generated);
    }

    @Test
    void aRequestWithoutMaxTokensWorks() {
        JsonNode plain = report.path("without_max_tokens");
        assertThat(plain.path("content").asString()).isNotBlank();
        RunResponse run = HogwildClient.create(DemoGateway.url(), DemoGateway.USER_KEY)
                .run(plain.path("run_id").asString()).block(DemoGateway.T);
        assertThat(run.request().maxTokensPerWorker()).as("left to the orchestrator").isNull();
        assertThat(run.finalAnswer()).isEqualTo(plain.path("content").asString());
    }

    @Test
    void refusalsAreOpenAiErrorsTheClientUnderstands() {
        assertThat(fields(report.path("unknown_model"))).containsEntry("status", "404")
                .containsEntry("code", "model_not_found").containsEntry("type", "invalid_request_error")
                .containsEntry("param", "model").containsEntry("error_class", "NotFoundError");
        assertThat(report.path("unknown_model").path("message").asString()).contains("gpt-4o");
        assertThat(fields(report.path("two_choices"))).containsEntry("status", "400").containsEntry("param", "n")
                .containsEntry("error_class", "BadRequestError");
        assertThat(report.path("two_choices").path("message").asString()).contains("n = 1");
        assertThat(fields(report.path("wrong_key"))).containsEntry("status", "401")
                .containsEntry("code", "invalid_api_key").containsEntry("error_class", "AuthenticationError");
    }

    private static Map<String, String> fields(JsonNode refusal) {
        return Map.of("status", refusal.path("status").asString(""), "type", refusal.path("type").asString(""),
                "code", refusal.path("code").asString(""), "param", refusal.path("param").asString(""),
                "error_class", refusal.path("error_class").asString(""));
    }
}
