package io.hogwild.worker.session;

import io.hogwild.lockstep.SamplingTokenChooser;
import io.hogwild.lockstep.TokenChooser;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The token chooser of the service: real sampling. Tests may provide another factory bean. */
@Configuration(proxyBeanMethods = false)
public class SessionConfig {

    @Bean
    @ConditionalOnMissingBean
    TokenChooser.Factory tokenChooserFactory() {
        return SamplingTokenChooser::create;
    }
}
