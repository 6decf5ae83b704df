package io.hogwild.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Java property paths of validation errors become the wire names the client sent. */
class RequestProblemsTest {

    @ParameterizedTest
    @CsvSource({
            "problem, problem",
            "topP, top_p",
            "maxTokensPerWorker, max_tokens_per_worker",
            "hogwild.maxStepTokens, hogwild.max_step_tokens",
            "messages[0].role, messages[0].role",
            "parts[12].partName, parts[12].part_name",
            "workers[1].view[0], workers[1].view[0]"})
    void javaPathsBecomeSnakeCaseJsonPaths(String javaPath, String jsonPath) {
        assertThat(RequestProblems.snakeCase(javaPath)).isEqualTo(jsonPath);
    }
}
