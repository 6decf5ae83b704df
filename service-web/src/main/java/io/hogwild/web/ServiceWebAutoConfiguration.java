package io.hogwild.web;

import io.hogwild.web.internal.InternalAuthProperties;
import io.hogwild.web.internal.InternalToken;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * The services' shared web stack: their JSON dialect, strict request bodies where a type asks for it, the problem renderer, the Resilience4j factory and the service
 * credential of internal calls ({@link InternalToken}; each service decides whether it enforces it).
 */
@AutoConfiguration(before = JacksonAutoConfiguration.class)
@EnableConfigurationProperties(InternalAuthProperties.class)
public class ServiceWebAutoConfiguration {

    @Bean
    JsonMapperBuilderCustomizer serviceJson() {
        return ServiceJson::configure;
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    ProblemRenderer problemRenderer(JsonMapper json, ObjectProvider<ProblemListener> listeners,
                                    ObjectProvider<ProblemFormat> formats) {
        return new ProblemRenderer(json, listeners.orderedStream().toList(), formats.orderedStream().toList());
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    StrictRequestBodies strictRequestBodies(JsonMapper json) {
        return new StrictRequestBodies(json);
    }

    @Bean
    @ConditionalOnMissingBean
    ResilienceFactory resilienceFactory(MeterRegistry meters) {
        return new ResilienceFactory(meters);
    }

    @Bean
    @ConditionalOnMissingBean
    InternalToken internalToken(InternalAuthProperties properties) {
        return new InternalToken(properties.token());
    }
}
