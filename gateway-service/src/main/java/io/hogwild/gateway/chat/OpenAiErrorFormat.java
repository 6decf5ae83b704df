package io.hogwild.gateway.chat;

import io.hogwild.web.ApiException;
import io.hogwild.web.ProblemFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Errors of the OpenAI-compatible paths ({@code /v1/chat/completions}, {@code /v1/models}) in OpenAI's shape,
 * {@code {"error": {"message", "type", "param", "code"}}}, which OpenAI clients read and show to their users (an RFC
 * 9457 problem would reach them as a raw body). Status and headers are the same as everywhere else; every other path
 * keeps problem+json.
 */
@Component
public class OpenAiErrorFormat implements ProblemFormat {

    private static final List<PathPattern> PATHS = List.of(
            PathPatternParser.defaultInstance.parse("/v1/chat/completions"),
            PathPatternParser.defaultInstance.parse("/v1/models"),
            PathPatternParser.defaultInstance.parse("/v1/models/**"));

    /** OpenAI's codes where they have one for the same thing; other problem types keep their name. */
    private static final Map<String, String> CODES = Map.of(
            "unauthorized", "invalid_api_key",
            "rate-limited", "rate_limit_exceeded",
            "invalid-request", "invalid_value");

    @Override
    public boolean appliesTo(ServerWebExchange exchange) {
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        return PATHS.stream().anyMatch(pattern -> pattern.matches(path));
    }

    @Override
    public MediaType contentType() {
        return MediaType.APPLICATION_JSON;
    }

    @Override
    public Object body(ApiException problem, ServerWebExchange exchange) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", problem.getMessage());
        error.put("type", type(problem.status().value()));
        error.put("param", problem.field());
        error.put("code", CODES.getOrDefault(problem.slug(), problem.slug().replace('-', '_')
                .toLowerCase(Locale.ROOT)));
        return Map.of("error", error);
    }

    private static String type(int status) {
        if (status == 401) {
            return "authentication_error";
        } else if (status == 403) {
            return "permission_error";
        } else if (status == 429) {
            return "rate_limit_error";
        } else if (status >= 500) {
            return "server_error";
        }
        return "invalid_request_error";
    }
}
