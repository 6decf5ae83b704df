package io.hogwild.web.internal;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service credential of calls between the services ({@code hogwild.internal.*}; {@code HOGWILD_INTERNAL_TOKEN}).
 *
 * @param token the shared bearer token; unset means this service cannot prove who it is, and a service that
 *     enforces the credential then refuses every protected call
 * @param openPaths paths (Spring path patterns) open without the token besides the health probes, e.g.
 *     {@code /actuator/prometheus} where Prometheus scrapes by pod annotation
 */
@ConfigurationProperties("hogwild.internal")
public record InternalAuthProperties(String token, @DefaultValue List<String> openPaths) {

    @Override
    public String toString() {
        // Never let the token reach a log line through a properties dump.
        return "InternalAuthProperties[token=" + (token == null || token.isBlank() ? "unset" : "****")
                + ", openPaths=" + openPaths + "]";
    }
}
