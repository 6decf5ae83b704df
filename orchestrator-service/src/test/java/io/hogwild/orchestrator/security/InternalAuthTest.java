package io.hogwild.orchestrator.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.orchestrator.support.OrchestratorTest;
import io.hogwild.orchestrator.support.StubGpuWorker;
import io.hogwild.testing.ServiceCredentials;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Only services may call the orchestrator: its internal API, its admin API and its metrics answer 401 (an RFC 9457
 * problem with a Bearer challenge) without the service credential or with a wrong one; the health probes stay open.
 */
@OrchestratorTest
class InternalAuthTest {

    @Value("${local.server.port}")
    int port;

    private WebTestClient anonymous() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @Test
    void internalAndAdminApisRefuseCallsWithoutTheServiceCredential() {
        String[][] routes = {
                {"POST", "/internal/runs"}, {"GET", "/internal/runs/some-run"}, {"GET", "/internal/runs/some-run/events"},
                {"POST", "/internal/runs/some-run/cancel"}, {"GET", "/admin/runs"}, {"GET", "/admin/runs/some-run"},
                {"GET", "/admin/runs/some-run/transcript"}, {"GET", "/admin/runs/some-run/events"},
                {"GET", "/admin/workers"}, {"GET", "/admin/queue"}, {"GET", "/actuator/prometheus"},
                {"GET", "/no/such/route"}};
        for (String presented : new String[] {null, "Bearer wrong-token", ServiceCredentials.TOKEN,
                "Basic " + ServiceCredentials.TOKEN}) {
            for (String[] route : routes) {
                WebTestClient.RequestBodySpec request = anonymous().method(HttpMethod.valueOf(route[0])).uri(route[1]);
                if (presented != null) {
                    request.header("Authorization", presented);
                }
                if (route[0].equals("POST")) {
                    request.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"problem\":\"2+2\"}");
                }
                request.exchange().expectStatus().isUnauthorized()
                        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"hogwild-internal\"")
                        .expectBody()
                        .jsonPath("$.type").isEqualTo("urn:hogwild:problem:unauthorized")
                        .jsonPath("$.detail").value(d -> assertThat(d.toString())
                                .doesNotContain(ServiceCredentials.TOKEN));
            }
        }
    }

    @Test
    void healthProbesAreOpenAndTheCredentialIsAccepted() {
        anonymous().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        anonymous().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        StubGpuWorker.client(port).get().uri("/admin/runs").exchange().expectStatus().isOk();
        StubGpuWorker.client(port).get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
    }
}
