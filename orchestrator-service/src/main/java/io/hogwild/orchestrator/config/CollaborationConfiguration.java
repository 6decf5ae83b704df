package io.hogwild.orchestrator.config;

import io.hogwild.collaboration.plan.PlanBuilder;
import io.hogwild.collaboration.prompt.PromptRenderer;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The collaboration protocol (a plain library) as beans of this service. */
@Configuration(proxyBeanMethods = false)
public class CollaborationConfiguration {

    @Bean
    PromptRenderer promptRenderer(Clock clock) {
        return new PromptRenderer(clock);
    }

    @Bean
    PlanBuilder planBuilder() {
        return new PlanBuilder();
    }
}
