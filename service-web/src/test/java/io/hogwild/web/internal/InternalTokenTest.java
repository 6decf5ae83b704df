package io.hogwild.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import reactor.core.publisher.Mono;

class InternalTokenTest {

    @Test
    void matchesOnlyTheConfiguredToken() {
        InternalToken token = new InternalToken(" s3cret-token ");
        assertThat(token.configured()).isTrue();
        assertThat(token.matches("s3cret-token")).isTrue();
        assertThat(token.matches("s3cret-toke")).isFalse();
        assertThat(token.matches("s3cret-token-and-more")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.toString()).doesNotContain("s3cret");
    }

    @Test
    void anUnsetTokenMatchesNothing() {
        for (String unset : new String[] {null, "", "   "}) {
            InternalToken token = new InternalToken(unset);
            assertThat(token.configured()).isFalse();
            assertThat(token.matches("")).isFalse();
            assertThat(token.matches(unset)).isFalse();
            assertThat(token.authorizationHeader()).isNull();
        }
    }

    @Test
    void theClientFilterSendsItAsABearerToken() {
        AtomicReference<ClientRequest> sent = new AtomicReference<>();
        ClientRequest request = ClientRequest.create(HttpMethod.GET, URI.create("http://orchestrator/x")).build();
        new InternalToken("s3cret-token").clientFilter()
                .filter(request, r -> {
                    sent.set(r);
                    return Mono.just(ClientResponse.create(org.springframework.http.HttpStatus.OK).build());
                })
                .block();
        assertThat(sent.get().headers().getFirst("Authorization")).isEqualTo("Bearer s3cret-token");
    }

    @Test
    void propertiesNeverPrintTheToken() {
        assertThat(new InternalAuthProperties("s3cret-token", java.util.List.of()).toString())
                .doesNotContain("s3cret").contains("****");
    }
}
