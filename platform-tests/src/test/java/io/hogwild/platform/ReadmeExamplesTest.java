package io.hogwild.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.testing.redis.RealRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's examples of calling the API, executed as written: every {@code bash} block of its "Calling the API"
 * section that calls the gateway runs in bash (curl, jq, and Node with the openai package for the OpenAI example)
 * against the demo platform, which accepts the README's keys; only the gateway's address is substituted. The blocks
 * must succeed, every HTTP call must answer 2xx, and what each example says it shows must be in its output. So an
 * example that fails when copied (like the cancel example did, asking more budget than the bundled model's context
 * has) fails this test first.
 */
@RealRedis
class ReadmeExamplesTest {

    private static final String README_GATEWAY = "http://127.0.0.1:8080";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One paragraph of a block (an example: its comment and command) with what it printed and the calls it made. */
    record Example(String source, String stdout, List<String> calls) {

        JsonNode json() {
            return JSON.readTree(stdout);
        }
    }

    private static List<Example> examples;
    private static Map<String, String> variables;

    @BeforeAll
    static void runTheExamples() throws Exception {
        List<String> blocks = apiBlocks(Files.readString(readme()));
        assertThat(blocks).as("bash blocks calling the gateway in 'Calling the API'").hasSizeGreaterThanOrEqualTo(2);
        examples = new ArrayList<>();
        variables = new LinkedHashMap<>();
        for (String block : blocks) {
            run(block.replace(README_GATEWAY, DemoGateway.url()));
        }
    }

    static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("platform-tests"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("the repository's README.md was not found above " + Path.of("").toAbsolutePath());
    }

    /** The fenced bash blocks of the "Calling the API" section that call the gateway (not the one starting it). */
    static List<String> apiBlocks(String readme) {
        int start = readme.indexOf("\n## Calling the API");
        assertThat(start).as("README section 'Calling the API'").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> blocks = new ArrayList<>();
        Matcher fence = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (fence.find()) {
            if (fence.group(1).contains(README_GATEWAY) && !fence.group(1).contains("./hogwild up")) {
                blocks.add(fence.group(1));
            }
        }
        return blocks;
    }

    /**
     * Runs one block in bash, each paragraph marked in both output streams, curl reporting every call's status on
     * stderr, and the block's variables printed at the end.
     */
    private static void run(String block) throws IOException, InterruptedException {
        List<String> paragraphs = List.of(block.strip().split("\\n\\s*\\n"));
        StringBuilder script = new StringBuilder("""
                set -euo pipefail
                curl() { command curl -w '%{stderr}@@call %{http_code} %{method} %{url_effective}\\n' "$@"; }
                """);
        for (int i = 0; i < paragraphs.size(); i++) {
            script.append("echo '@@example ").append(i).append("'; echo '@@example ").append(i).append("' >&2\n")
                    .append(paragraphs.get(i)).append("\necho\n");
        }
        Matcher assigned = Pattern.compile("(?m)^([A-Z_]+)=\\$\\(").matcher(block);
        script.append("echo '@@end'\n");
        while (assigned.find()) {
            script.append("echo \"@@var ").append(assigned.group(1)).append("=${").append(assigned.group(1))
                    .append(":-}\"\n");
        }
        Path out = Files.createTempFile("readme-stdout", ".txt");
        Path err = Files.createTempFile("readme-stderr", ".txt");
        // In the Node project, where the OpenAI example finds the openai package.
        Process bash = new ProcessBuilder("bash", "-c", script.toString())
                .directory(OpenAiNodeClientTest.NODE_PROJECT.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean exited = bash.waitFor(10, TimeUnit.MINUTES);
        if (!exited) {
            bash.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(exited && bash.exitValue() == 0).as("the README block failed:%n%s%n--- stdout:%n%s%n--- stderr:%n%s",
                block, stdout, stderr).isTrue();
        List<String> outputs = sections(stdout.substring(0, stdout.indexOf("@@end")));
        List<String> errors = sections(stderr);
        for (int i = 0; i < paragraphs.size(); i++) {
            List<String> calls = errors.get(i).lines().filter(line -> line.startsWith("@@call "))
                    .map(line -> line.substring("@@call ".length())).toList();
            examples.add(new Example(paragraphs.get(i), outputs.get(i).strip(), calls));
        }
        stdout.substring(stdout.indexOf("@@end")).lines().filter(line -> line.startsWith("@@var "))
                .forEach(line -> {
                    String assignment = line.substring("@@var ".length());
                    variables.put(assignment.substring(0, assignment.indexOf('=')),
                            assignment.substring(assignment.indexOf('=') + 1));
                });
    }

    /** The text after each {@code @@example N} marker, in order. */
    private static List<String> sections(String text) {
        List<String> parts = new ArrayList<>(List.of(text.split("(?m)^@@example \\d+\\n", -1)));
        parts.remove(0);
        return parts;
    }

    /** The one example whose source contains every fragment. */
    private static Example example(String... fragments) {
        List<Example> found = examples.stream()
                .filter(e -> List.of(fragments).stream().allMatch(e.source()::contains)).toList();
        assertThat(found).as("README examples containing %s", List.of(fragments)).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyCallAnswers2xx() {
        assertThat(examples.stream().flatMap(e -> e.calls().stream()).toList()).isNotEmpty()
                .allSatisfy(call -> assertThat(call).matches("2\\d\\d .*"));
    }

    @Test
    void theModelsExampleListsTheBundledModel() {
        assertThat(example("/v1/models").json().path("data").path(0).path("id").asString())
                .isEqualTo(DemoGateway.MODEL);
    }

    @Test
    void theRunIsCreatedFollowedToItsAnswerAndItsTranscriptRead() {
        assertThat(variables.get("RUN")).matches("[0-9a-f-]{36}");
        Example events = example("/events");
        assertThat(events.stdout()).contains("event:step_finished").contains("event:run_ended");
        JsonNode run = example("/v1/runs/$RUN -H").json();
        assertThat(run.path("status").asString()).isEqualTo("FINISHED");
        assertThat(run.path("final_answer").asString()).isNotBlank();
        JsonNode transcript = example("/transcript").json();
        assertThat(transcript.path("workers").size()).isEqualTo(2);
    }

    @Test
    void theLongRunIsCancelledWhileItRuns() {
        assertThat(variables.get("LONG")).matches("[0-9a-f-]{36}");
        Example cancel = example("/cancel");
        assertThat(cancel.calls()).hasSize(2).allSatisfy(call -> assertThat(call).startsWith("202 POST"));
        assertThat(cancel.stdout()).contains("\"id\":\"" + variables.get("LONG") + "\"");
    }

    @Test
    void theChatCompletionGivesTheRunsAnswer() {
        String answer = example("/v1/runs/$RUN -H").json().path("final_answer").asString();
        JsonNode completion = example("/v1/chat/completions", "max_tokens\":256,\"temperature\":0,\"hogwild\"").json();
        assertThat(completion.path("choices").path(0).path("message").path("content").asString()).isEqualTo(answer);
        assertThat(completion.path("usage").path("completion_tokens").asInt()).isPositive();
    }

    @Test
    void theStreamedChatCompletionEndsWithDone() {
        Example stream = example("/v1/chat/completions", "\"stream\":true");
        assertThat(stream.stdout().lines().filter(line -> !line.isBlank()).reduce((a, b) -> b).orElseThrow())
                .isEqualTo("data:[DONE]");
        assertThat(stream.stdout()).contains("\"content\":\"").contains("\"usage\":");
    }

    @Test
    void theOpenAiNodeExamplePrintsTheAnswer() {
        String answer = example("/v1/runs/$RUN -H").json().path("final_answer").asString();
        assertThat(example("import OpenAI").stdout()).isEqualTo(answer);
    }
}
