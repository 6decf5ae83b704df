package io.hogwild.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.hogwild.gateway.support.Http;
import io.hogwild.gateway.support.Stack;
import io.hogwild.testing.redis.RealRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The console's files as the gateway serves them, over real HTTP: open without a key (and nothing else opened with
 * them), every one with the strict Content-Security-Policy and the other security headers, and written so that the
 * policy holds: no inline script or style, no HTML sinks or eval, nothing loaded from another origin.
 */
@RealRedis
class ConsoleResourcesTest {

    private static final Path FILES = Path.of("src/main/resources/console");

    private static WebTestClient http;

    @BeforeAll
    static void start() {
        // Serving files needs no orchestrator: nothing here is proxied.
        ConfigurableApplicationContext gateway = Stack.gateway("http://127.0.0.1:9");
        http = Http.client(gateway);
    }

    @Test
    void theConsoleIsAtSlashConsoleWithStrictSecurityHeadersAndNeedsNoKey() {
        http.get().uri("/console").exchange().expectStatus().isPermanentRedirect()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "console/");
        byte[] page = http.get().uri("/console/").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith("text/html")
                .expectHeader().valueEquals("Content-Security-Policy", ConsoleHeadersFilter.CONTENT_SECURITY_POLICY)
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader().valueEquals("X-Frame-Options", "DENY")
                .expectHeader().valueEquals("Referrer-Policy", "no-referrer")
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
                .expectBody().returnResult().getResponseBody();
        assertThat(new String(page, StandardCharsets.UTF_8)).contains("<script type=\"module\" src=\"js/app.js\">");
        assertThat(ConsoleHeadersFilter.CONTENT_SECURITY_POLICY)
                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
    }

    @Test
    void everyFileIsServedWithItsTypeAndTheHeaders() throws IOException {
        for (Path file : files()) {
            String path = "/console/" + FILES.relativize(file).toString().replace('\\', '/');
            String type = path.endsWith(".js") ? "text/javascript" : path.endsWith(".css") ? "text/css"
                    : path.endsWith(".svg") ? "image/svg+xml" : "text/html";
            http.get().uri(path).exchange().expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith(type)
                    .expectHeader().valueEquals("Content-Security-Policy", ConsoleHeadersFilter.CONTENT_SECURITY_POLICY)
                    .expectHeader().valueEquals("X-Content-Type-Options", "nosniff");
        }
        // Errors carry the headers too, and the open paths are exactly the console's.
        http.get().uri("/console/missing.js").exchange().expectStatus().isNotFound()
                .expectHeader().valueEquals("Content-Security-Policy", ConsoleHeadersFilter.CONTENT_SECURITY_POLICY);
        http.get().uri("/consoles").exchange().expectStatus().isUnauthorized();
        http.get().uri("/admin/runs").exchange().expectStatus().isUnauthorized();
        http.get().uri("/admin/workers").header("Authorization", Http.bearer(Stack.ALICE_KEY)).exchange()
                .expectStatus().isForbidden();
    }

    @Test
    void theFilesNeedNothingTheirPolicyForbids() throws IOException {
        String html = Files.readString(FILES.resolve("index.html"));
        assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>").matcher(html).find()).as("inline script").isFalse();
        assertThat(html).doesNotContain("<style", " style=", "javascript:");
        assertThat(Pattern.compile("\\son[a-z]+=").matcher(html).find()).as("inline event handler").isFalse();
        for (Path file : files()) {
            if (file.toString().endsWith(".svg")) {
                continue; // an image: its only URL is the SVG namespace, never fetched
            }
            String text = Files.readString(file);
            assertThat(text).as(file.toString())
                    .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                            "new Function", "setAttribute('style'", "http://", "https://", "@import");
        }
    }

    private static List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(FILES)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
