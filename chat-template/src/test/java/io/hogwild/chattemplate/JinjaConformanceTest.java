package io.hogwild.chattemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test against Python Jinja2: {@code jinja/conformance-cases.json} holds small
 * templates and what Jinja2 3.1 renders for them in transformers' environment (regenerate with
 * {@code jinja/generate_conformance.py}). Error cases must fail here too, with the given fragment.
 */
class JinjaConformanceTest {

    private static final String CASES = "jinja/conformance-cases.json";

    static Stream<Arguments> cases() {
        JsonNode cases = GoldenFixtures.json(CASES).get("cases");
        return StreamSupport.stream(cases.spliterator(), false).map(c -> Arguments.of(c.get("name").asString(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesJinja(String name, JsonNode testCase) {
        Map<String, Object> variables = new LinkedHashMap<>();
        testCase.get("variables").properties().forEach(f -> variables.put(f.getKey(), f.getValue()));
        String source = testCase.get("template").asString();

        if (testCase.has("error")) {
            assertThatThrownBy(() -> Template.compile(source).render(variables))
                    .as("Jinja2 raised: %s", testCase.get("python_error").asString())
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining(testCase.get("error").asString());
        } else {
            assertThat(Template.compile(source).render(variables)).isEqualTo(testCase.get("expected").asString());
        }
    }

    @Test
    void caseFileIsPresentAndSubstantial() {
        assertThat(cases()).hasSizeGreaterThan(70);
    }
}
