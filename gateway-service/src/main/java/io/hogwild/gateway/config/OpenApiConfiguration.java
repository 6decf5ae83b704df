package io.hogwild.gateway.config;

import io.hogwild.gateway.security.ApiPrincipal;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}) and UI ({@code /swagger-ui.html}), both behind an API key like every
 * other path unless listed in {@code hogwild.gateway.security.public-paths}.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static {
        // The caller is resolved from the exchange, not sent by the client.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(ApiPrincipal.class);
    }

    @Bean
    OpenAPI hogwildOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Hogwild! Inference gateway").version("0.1.0")
                        .description("Runs of several LLM workers over one shared KV cache. JSON is snake_case; "
                                + "every error is an RFC 9457 problem (application/problem+json), on the "
                                + "OpenAI-compatible endpoints too."))
                .components(new Components().addSecuritySchemes("bearer", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API key: Authorization: Bearer <key>")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }

    /** Schemas with the names on the wire: swagger reads models with its own (Jackson 2) mapper, told snake_case. */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        ModelResolver resolver = new ModelResolver(Json.mapper().copy()
                .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE));
        ModelConverters.getInstance().addConverter(resolver);
        return resolver;
    }
}
