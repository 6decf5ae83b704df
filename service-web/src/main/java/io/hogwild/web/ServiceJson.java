package io.hogwild.web;

import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The JSON dialect of every surface of the services (REST, service-to-service calls, what is stored in Redis):
 * snake_case names, so public fields read like OpenAI's ({@code max_tokens}, {@code top_p}); enums read in any case
 * ({@code "combined"} or {@code "COMBINED"}) and written as their names; dates as ISO-8601 strings; records without
 * properties written as {@code {}}. Boot's mapper gets it through the auto-configured customizer; code outside Spring
 * (test stand-ins) uses {@link #mapper()}.
 */
public final class ServiceJson {

    private ServiceJson() {
    }

    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                // A number where text is expected ("problem": 5) or a fraction where a count is (workers: 2.5) is a
                // client mistake to name, not something to guess a meaning for.
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail));
    }

    /** A mapper of this dialect, for code that has no Spring context. */
    public static JsonMapper mapper() {
        return configure(JsonMapper.builder()).build();
    }
}
