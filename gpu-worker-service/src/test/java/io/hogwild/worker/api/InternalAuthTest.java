package io.hogwild.worker.api;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Only the orchestrator may drive a GPU worker: every route but the health probes answers 401 (an RFC 9457 problem
 * with a Bearer challenge) without the service credential or with a wrong one, and serves with it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hogwild.model.path=../hogwild-engine/src/test/resources/golden/qwen3-tiny",
        "hogwild.worker.registry-enabled=false",
        "spring.data.redis.url=redis://127.0.0.1:1",
        "hogwild.internal.token=" + InternalAuthTest.TOKEN})
class InternalAuthTest {

    static final String TOKEN = "worker-internal-auth-test-token";

    @Value("${local.server.port}")
    int port;

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @Test
    void everyApiRouteNeedsTheServiceCredential() {
        for (String wrong : new String[] {null, "Bearer not-the-token", "Basic " + TOKEN, "Bearer"}) {
            expectUnauthorized(HttpMethod.GET, "/v1/model", wrong);
            expectUnauthorized(HttpMethod.POST, "/v1/tokenize", wrong);
            expectUnauthorized(HttpMethod.GET, "/v1/sessions", wrong);
            expectUnauthorized(HttpMethod.POST, "/v1/sessions", wrong);
            expectUnauthorized(HttpMethod.GET, "/v1/sessions/any/events", wrong);
            expectUnauthorized(HttpMethod.POST, "/v1/sessions/any/cancel", wrong);
            expectUnauthorized(HttpMethod.GET, "/actuator/prometheus", wrong);
        }
    }

    @Test
    void healthProbesAreOpenAndTheCredentialServes() {
        client().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        client().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        client().get().uri("/v1/model").header("Authorization", "Bearer " + TOKEN).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").exists();
        client().get().uri("/v1/sessions").header("Authorization", "bearer  " + TOKEN + " ").exchange()
                .expectStatus().isOk();
    }

    private void expectUnauthorized(HttpMethod method, String path, String authorization) {
        WebTestClient.RequestBodySpec request = client().method(method).uri(path);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (method == HttpMethod.POST) {
            request.contentType(MediaType.APPLICATION_JSON).bodyValue("{}");
        }
        request.exchange().expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"hogwild-internal\"")
                .expectBody().jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.detail").value(detail -> org.assertj.core.api.Assertions.assertThat(detail.toString())
                        .doesNotContain(TOKEN));
    }
}
