package io.hogwild.gateway.admin;

import io.hogwild.gateway.orchestrator.OrchestratorClient;
import io.hogwild.gateway.security.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code /admin/**} passed to the orchestrator's admin API (runs of every key, transcripts, raw event logs, GPU
 * workers; see orchestrator-service/API.md) with method, path, query and body unchanged and its answer passed back as
 * is. The admin role is enforced by {@link io.hogwild.gateway.security.ApiKeyFilter} before this is reached.
 */
@RestController
@Tag(name = "admin", description = "The orchestrator's admin API (admin key only)")
public class AdminProxyController {

    private static final Logger log = LoggerFactory.getLogger(AdminProxyController.class);

    private final OrchestratorClient orchestrator;

    public AdminProxyController(OrchestratorClient orchestrator) {
        this.orchestrator = orchestrator;
    }

    @RequestMapping("/admin/**")
    @Operation(summary = "Proxy to the orchestrator's admin API", description = "GET /admin/runs?status=&page=&size=, "
            + "/admin/runs/{id}, /admin/runs/{id}/transcript[/{worker}], /admin/runs/{id}/events?after=&limit=, "
            + "/admin/workers")
    public Mono<ResponseEntity<byte[]>> proxy(ServerHttpRequest request,
                                              @Parameter(hidden = true) ApiPrincipal principal) {
        String pathAndQuery = request.getURI().getRawPath()
                + (request.getURI().getRawQuery() != null ? "?" + request.getURI().getRawQuery() : "");
        HttpMethod method = request.getMethod();
        log.debug("admin {} {} by {}", method, request.getURI().getRawPath(), principal.name());
        return DataBufferUtils.join(request.getBody())
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> orchestrator.proxy(method, pathAndQuery, request.getHeaders().getContentType(),
                        body))
                .map(raw -> ResponseEntity.status(raw.status()).headers(raw.headers()).body(raw.body()));
    }
}
