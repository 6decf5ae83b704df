package io.hogwild.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/** The services' JSON dialect, as {@link ServiceJson#mapper()} and Boot's customized mapper both apply it. */
class ServiceJsonTest {

    enum Layout { COMBINED, INTERLEAVED }

    record Request(String problem, Integer maxTokensPerWorker, Layout layout, Boolean fewShot, Instant startedAt) {}

    record Empty() {}

    private final JsonMapper json = ServiceJson.mapper();

    @Test
    void propertiesAreSnakeCaseEnumsTheirNamesAndDatesIsoStrings() {
        String written = json.writeValueAsString(new Request("2+2", 64, Layout.INTERLEAVED, true,
                Instant.parse("2025-06-01T12:00:00Z")));
        assertThat(written).isEqualTo("{\"problem\":\"2+2\",\"max_tokens_per_worker\":64,\"layout\":\"INTERLEAVED\","
                + "\"few_shot\":true,\"started_at\":\"2025-06-01T12:00:00Z\"}");
        assertThat(json.readValue(written, Request.class).startedAt()).isEqualTo(Instant.parse("2025-06-01T12:00:00Z"));
    }

    @Test
    void enumsAreReadInAnyCase() {
        for (String layout : List.of("combined", "COMBINED", "Combined")) {
            assertThat(json.readValue("{\"layout\": \"" + layout + "\"}", Request.class).layout())
                    .isEqualTo(Layout.COMBINED);
        }
    }

    @Test
    void emptyRecordsAreWrittenAsEmptyObjects() {
        assertThat(json.writeValueAsString(new Empty())).isEqualTo("{}");
        assertThat(json.writeValueAsString(new Object())).isEqualTo("{}");
    }

    @Test
    void valuesOfAnotherJsonTypeAreNotCoerced() {
        assertThatThrownBy(() -> json.readValue("{\"problem\": 5}", Request.class))
                .isInstanceOf(MismatchedInputException.class);
        assertThatThrownBy(() -> json.readValue("{\"max_tokens_per_worker\": 2.5}", Request.class))
                .isInstanceOf(MismatchedInputException.class);
        assertThatThrownBy(() -> json.readValue("{\"few_shot\": 1}", Request.class))
                .isInstanceOf(MismatchedInputException.class);
    }
}
