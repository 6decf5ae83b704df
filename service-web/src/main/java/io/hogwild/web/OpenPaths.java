package io.hogwild.web;

import java.util.ArrayList;
import java.util.List;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Paths a service serves without credentials: always the health probes (Kubernetes calls them with none), plus the
 * configured ones (Spring path patterns).
 */
public final class OpenPaths {

    private final List<PathPattern> patterns = new ArrayList<>();

    public OpenPaths(List<String> extra) {
        PathPatternParser parser = PathPatternParser.defaultInstance;
        patterns.add(parser.parse("/actuator/health"));
        patterns.add(parser.parse("/actuator/health/**"));
        extra.forEach(p -> patterns.add(parser.parse(p.strip())));
    }

    public boolean matches(PathContainer path) {
        return patterns.stream().anyMatch(pattern -> pattern.matches(path));
    }
}
