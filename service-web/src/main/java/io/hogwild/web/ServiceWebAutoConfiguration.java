package io.hogwild.web;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * The services' shared web stack: their JSON dialect, strict request bodies where a type asks for it, the problem
 * renderer and the Resilience4j factory.
 */
@AutoConfiguration(before = JacksonAutoConfiguration.class)
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
}
