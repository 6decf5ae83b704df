package io.hogwild.worker.config;

import io.hogwild.web.internal.InternalAuthFilter;
import io.hogwild.web.internal.InternalAuthProperties;
import io.hogwild.web.internal.InternalToken;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Only the orchestrator may call a GPU worker: every route but the health probes needs the service credential. */
@Configuration(proxyBeanMethods = false)
public class InternalAuthConfiguration {

    @Bean
    InternalAuthFilter internalAuthFilter(InternalToken token, InternalAuthProperties properties) {
        return new InternalAuthFilter(token, properties);
    }
}
