package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** API keys: hashes only, in a Secret, never in a ConfigMap. */
class SecretsTest {

  static final String TEAM_A_KEY = "hw-live-team-a-3f9c2e71";
  static final String TEAM_A_SHA256 = sha256(TEAM_A_KEY);
  static final String ADMIN_KEY = "hw-admin-5b1d0c88";
  static final String ADMIN_SHA256 = sha256(ADMIN_KEY);

  private static final Pattern SECRET_LOOKING_KEY = Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|API_?KEY|CREDENTIAL).*");

  private RenderedChart withKeys() {
    return HelmChart.renderWith(
        "apiKeys.users[0].name", "team-a", "apiKeys.users[0].sha256", TEAM_A_SHA256,
        "apiKeys.admins[0].name", "ops", "apiKeys.admins[0].sha256", ADMIN_SHA256);
  }

  @Test
  void keyHashesGoToTheSecretFiles() {
    Secret secret = withKeys().get(Secret.class, "hogwild-api-keys");
    assertThat(decode(secret, "api-keys")).isEqualTo("team-a:" + TEAM_A_SHA256 + "\n");
    assertThat(decode(secret, "admin-keys")).isEqualTo("ops:" + ADMIN_SHA256 + "\n");
  }

  @Test
  void noConfigMapHoldsAKeyOrAHash() {
    RenderedChart chart = withKeys();
    assertThat(chart.all(ConfigMap.class)).hasSize(3).allSatisfy(cm -> cm.getData().forEach((k, v) -> {
      assertThat(v).as("%s in %s", k, cm.getMetadata().getName())
          .doesNotContain(TEAM_A_KEY, ADMIN_KEY, TEAM_A_SHA256, ADMIN_SHA256)
          .doesNotContainPattern("[0-9a-f]{64}");
      if (SECRET_LOOKING_KEY.matcher(k).matches()) {
        assertThat(k).as("a secret-looking ConfigMap entry may only name a mounted file").endsWith("_FILE");
        assertThat(v).startsWith("/etc/hogwild/api-keys/");
      }
    }));
    // the plaintext keys are not anywhere in the rendered release
    assertThat(chart.text()).doesNotContain(TEAM_A_KEY, ADMIN_KEY);
  }

  @Test
  void aPlaintextKeyInPlaceOfTheHashIsRefused() {
    assertThatThrownBy(() -> HelmChart.renderWith("apiKeys.users[0].name", "team-a", "apiKeys.users[0].sha256", TEAM_A_KEY))
        .hasMessageContaining("apiKeys.users[0].sha256 must be the lowercase hex SHA-256");
    assertThatThrownBy(() -> HelmChart.renderWith("apiKeys.admins[0].name", "bad name", "apiKeys.admins[0].sha256", ADMIN_SHA256))
        .hasMessageContaining("apiKeys.admins[0].name");
  }

  @Test
  void anExistingSecretReplacesTheRenderedOne() {
    RenderedChart chart = HelmChart.renderWith("apiKeys.existingSecret", "prod-hogwild-keys");
    assertThat(chart.all(Secret.class)).extracting(s -> s.getMetadata().getName())
        .as("only the internal token's Secret is left").containsExactly("hogwild-internal-token");
    for (String component : new String[] {"gateway", "orchestrator"}) {
      assertThat(chart.deployment(component).getSpec().getTemplate().getSpec().getVolumes())
          .filteredOn(v -> v.getSecret() != null).extracting(Volume::getSecret)
          .singleElement().satisfies(s -> assertThat(s.getSecretName()).isEqualTo("prod-hogwild-keys"));
    }
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
