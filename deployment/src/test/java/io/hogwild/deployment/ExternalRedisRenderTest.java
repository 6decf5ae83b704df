package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With an external Redis the chart renders no Redis object and points every service at it. */
class ExternalRedisRenderTest {

  private static final List<String> SERVICES = List.of("gateway", "orchestrator", "gpu-worker");

  @Test
  void externalUrlRemovesEveryRedisObject() {
    RenderedChart chart = HelmChart.renderWith("redis.external.url", "redis://cache.internal.example:6380");
    assertThat(chart.all(StatefulSet.class)).isEmpty();
    assertThat(chart.objects()).noneMatch(ExternalRedisRenderTest::isRedisObject);
    assertThat(chart.names()).noneMatch(n -> n.contains("redis"));
    assertThat(chart.all(NetworkPolicy.class)).hasSize(3);
    for (String component : SERVICES) {
      assertThat(chart.configData(component))
          .containsEntry("SPRING_DATA_REDIS_URL", "redis://cache.internal.example:6380");
    }
    assertThat(chart.deployment("gateway")).isNotNull();
  }

  @Test
  void urlFromASecretNeverReachesAConfigMap() {
    RenderedChart chart = HelmChart.renderWith("redis.external.existingSecret", "redis-credentials");
    assertThat(chart.objects()).noneMatch(ExternalRedisRenderTest::isRedisObject);
    for (String component : SERVICES) {
      assertThat(chart.configData(component)).doesNotContainKey("SPRING_DATA_REDIS_URL");
      List<EnvVar> env = chart.container(component).getEnv();
      assertThat(env).as(component).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("SPRING_DATA_REDIS_URL");
        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("redis-credentials");
        assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("redis-url");
      });
    }
  }

  @Test
  void credentialsInThePlainUrlAreRefused() {
    assertThatThrownBy(() -> HelmChart.renderWith("redis.external.url", "redis://:hunter2@cache:6379"))
        .hasMessageContaining("must not carry credentials");
  }

  @Test
  void defaultValuesDoRenderRedis() {
    RenderedChart chart = HelmChart.render();
    assertThat(chart.objects()).filteredOn(ExternalRedisRenderTest::isRedisObject)
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("StatefulSet", "Service", "Service", "NetworkPolicy");
  }

  private static boolean isRedisObject(HasMetadata o) {
    return o.getMetadata().getLabels() != null
        && "redis".equals(o.getMetadata().getLabels().get("app.kubernetes.io/component"));
  }
}
