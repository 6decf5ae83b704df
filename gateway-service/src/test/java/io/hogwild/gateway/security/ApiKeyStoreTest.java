package io.hogwild.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hogwild.gateway.config.GatewayProperties;
import io.hogwild.gateway.support.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** Key files in the Helm Secret's format, development keys, and reloading. */
class ApiKeyStoreTest {

    @TempDir
    Path dir;

    private ApiKeyStore store(Path users, Path admins, String devUser, String devAdmin) {
        GatewayProperties properties = new GatewayProperties("http://localhost:1", users, admins,
                new GatewayProperties.DevKeys(devUser, devAdmin),
                new GatewayProperties.RateLimit(true, 60, 20, "p:"),
                new GatewayProperties.Security(List.of(), Duration.ofHours(1)),
                new GatewayProperties.Resilience(Duration.ofSeconds(1), Duration.ofSeconds(1), 50, 10, 5,
                        Duration.ofSeconds(10), 2, 3, Duration.ofMillis(10)),
                DataSize.ofKilobytes(64), DataSize.ofMegabytes(1), Duration.ofSeconds(15));
        return new ApiKeyStore(properties);
    }

    @Test
    void keysAreMatchedByTheirDigestWithNameAndRole() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), "# comment\n\nalice:" + Stack.sha256("k-alice")
                + "\n  bob : " + Stack.sha256("k-bob").toUpperCase() + "  \nboth:" + Stack.sha256("k-both") + "\n");
        Path admins = Files.writeString(dir.resolve("admins"), "ops:" + Stack.sha256("k-ops") + "\nboth-admin:"
                + Stack.sha256("k-both") + "\n");
        ApiKeyStore keys = store(users, admins, "k-dev", null);
        try {
            assertThat(keys.authenticate("k-alice")).contains(new ApiPrincipal("alice", ApiPrincipal.Role.USER));
            assertThat(keys.authenticate("k-bob")).contains(new ApiPrincipal("bob", ApiPrincipal.Role.USER));
            assertThat(keys.authenticate("k-ops")).contains(new ApiPrincipal("ops", ApiPrincipal.Role.ADMIN));
            assertThat(keys.authenticate("k-both")).contains(new ApiPrincipal("both-admin", ApiPrincipal.Role.ADMIN));
            assertThat(keys.authenticate("k-dev")).contains(new ApiPrincipal("dev-user", ApiPrincipal.Role.USER));
            assertThat(keys.authenticate("k-alice ")).isEmpty();
            assertThat(keys.authenticate(Stack.sha256("k-alice"))).as("the digest is not a key").isEmpty();
            assertThat(keys.authenticate("")).isEmpty();
        } finally {
            keys.stop();
        }
    }

    @Test
    void aMalformedLineIsReportedByNumberWithoutItsContent() throws Exception {
        String pasted = "sk-this-is-a-raw-key-pasted-by-mistake";
        Path users = Files.writeString(dir.resolve("users"), "alice:" + Stack.sha256("a") + "\n" + pasted + "\n");
        assertThatThrownBy(() -> store(users, null, null, null))
                .hasMessageContaining("line 2").hasMessageNotContaining(pasted);
        Path shortHash = Files.writeString(dir.resolve("short"), "carol:abc123\n");
        assertThatThrownBy(() -> store(shortHash, null, null, null)).hasMessageContaining("line 1")
                .hasMessageNotContaining("abc123");
    }

    @Test
    void changedFilesAreReloadedAndBrokenOnesKeepThePreviousKeys() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), "alice:" + Stack.sha256("k1") + "\n");
        ApiKeyStore keys = store(users, null, null, null);
        try {
            assertThat(keys.authenticate("k1")).isPresent();
            Files.writeString(users, "alice:" + Stack.sha256("k2") + "\n");
            keys.reloadIfChanged();
            assertThat(keys.authenticate("k1")).isEmpty();
            assertThat(keys.authenticate("k2")).isPresent();
            Files.writeString(users, "garbage\n");
            keys.reloadIfChanged();
            assertThat(keys.authenticate("k2")).as("kept after a broken reload").isPresent();
        } finally {
            keys.stop();
        }
    }

    @Test
    void devKeysAreNeverPrinted() {
        assertThat(new GatewayProperties.DevKeys("plain-user-key", "plain-admin-key").toString())
                .doesNotContain("plain-user-key").doesNotContain("plain-admin-key");
    }
}
