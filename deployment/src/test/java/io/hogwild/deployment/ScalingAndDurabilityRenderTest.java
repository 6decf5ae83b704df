package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's side of runs that survive: two orchestrators by default, the optional KEDA ScaledObject that scales GPU
 * workers on the queue (typed like every other manifest), Redis with append-only persistence, termination grace
 * periods everywhere, and the service credential from a Secret in every service.
 */
class ScalingAndDurabilityRenderTest {

  private static final List<String> SERVICES = List.of("gateway", "orchestrator", "gpu-worker");

  private final RenderedChart chart = HelmChart.render();

  @Test
  void twoOrchestratorReplicasByDefault() {
    HorizontalPodAutoscaler hpa = chart.get(HorizontalPodAutoscaler.class, "hogwild-orchestrator");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    Deployment fixed = HelmChart.renderWith("orchestrator.autoscaling.enabled", "false").deployment("orchestrator");
    assertThat(fixed.getSpec().getReplicas()).isEqualTo(2);
    assertThat(chart.configData("orchestrator")).containsEntry("HOGWILD_ORCHESTRATOR_QUEUE_MAXDEPTH", "1000");
  }

  @Test
  void noScaledObjectUnlessAsked() {
    assertThat(chart.all(KedaScaledObject.class)).isEmpty();
    assertThat(chart.deployment("gpu-worker").getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void kedaScalesTheGpuWorkersOnTheQueueDepth() {
    RenderedChart keda = HelmChart.renderWith("gpuWorker.keda.enabled", "true", "gpuWorker.keda.maxReplicaCount", "6");
    KedaScaledObject scaled = keda.get(KedaScaledObject.class, "hogwild-gpu-worker");
    assertThat(scaled.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
    Deployment workers = keda.deployment("gpu-worker");
    assertThat(scaled.getSpec().scaleTargetRef.apiVersion).isEqualTo("apps/v1");
    assertThat(scaled.getSpec().scaleTargetRef.kind).isEqualTo(workers.getKind());
    assertThat(scaled.getSpec().scaleTargetRef.name).isEqualTo(workers.getMetadata().getName());
    assertThat(scaled.getSpec().minReplicaCount).isEqualTo(1);
    assertThat(scaled.getSpec().maxReplicaCount).isEqualTo(6);
    assertThat(scaled.getSpec().advanced.horizontalPodAutoscalerConfig.behavior.getScaleDown()
        .getStabilizationWindowSeconds()).isEqualTo(600);
    assertThat(scaled.getSpec().triggers).singleElement().satisfies(trigger -> {
      assertThat(trigger.type).isEqualTo("redis");
      // The orchestrator's list of queued runs (RunQueue: queue prefix + "pending"), on the chart's Redis Service.
      assertThat(trigger.metadata).containsEntry("address", "hogwild-redis:6379")
          .containsEntry("listName", "hogwild:queue:pending")
          .containsEntry("listLength", "2")
          .containsEntry("activationListLength", "0");
    });
    // KEDA's CRD takes strings only: the rendered YAML must not carry a bare number there.
    assertThat(keda.text()).contains("listLength: \"2\"").contains("activationListLength: \"0\"");
    // KEDA owns the replica count; KEDA's operator may read the queue in Redis.
    assertThat(workers.getSpec().getReplicas()).isNull();
    NetworkPolicy redis = keda.get(NetworkPolicy.class, "hogwild-redis");
    List<NetworkPolicyPeer> from = redis.getSpec().getIngress().get(0).getFrom();
    assertThat(from).filteredOn(peer -> peer.getNamespaceSelector() != null && peer.getPodSelector() == null)
        .singleElement().satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
            .containsEntry("kubernetes.io/metadata.name", "keda"));
    assertThat(chart.get(NetworkPolicy.class, "hogwild-redis").getSpec().getIngress().get(0).getFrom())
        .as("without KEDA only the services").hasSize(3);
  }

  @Test
  void kedaWithAnExternalRedisNeedsItsAddress() {
    assertThatThrownBy(() -> HelmChart.renderWith("gpuWorker.keda.enabled", "true",
        "redis.external.url", "redis://cache.example:6379"))
        .hasMessageContaining("gpuWorker.keda.redisAddress");
    KedaScaledObject scaled = HelmChart.renderWith("gpuWorker.keda.enabled", "true",
            "redis.external.url", "redis://cache.example:6379", "gpuWorker.keda.redisAddress", "cache.example:6379",
            "gpuWorker.keda.authenticationRef", "redis-auth")
        .get(KedaScaledObject.class, "hogwild-gpu-worker");
    assertThat(scaled.getSpec().triggers.get(0).metadata).containsEntry("address", "cache.example:6379");
    assertThat(scaled.getSpec().triggers.get(0).authenticationRef.name).isEqualTo("redis-auth");
    assertThatThrownBy(() -> HelmChart.renderWith("gpuWorker.keda.enabled", "true",
        "gpuWorker.keda.minReplicaCount", "5", "gpuWorker.keda.maxReplicaCount", "2"))
        .hasMessageContaining("maxReplicaCount");
  }

  @Test
  void redisKeepsAnAppendOnlyFileSyncedEverySecond() {
    Container redis = chart.podTemplates().get("StatefulSet/hogwild-redis").getSpec().getContainers().get(0);
    String args = String.join(" ", redis.getArgs());
    assertThat(args).contains("--appendonly yes").contains("--appendfsync everysec").contains("--dir /data");
    assertThat(String.join(" ", HelmChart.renderWith("redis.appendFsync", "always")
        .podTemplates().get("StatefulSet/hogwild-redis").getSpec().getContainers().get(0).getArgs()))
        .contains("--appendfsync always");
  }

  @Test
  void everyWorkloadHasATerminationGracePeriod() {
    Map<String, PodTemplateSpec> templates = chart.podTemplates();
    assertThat(templates).hasSize(4);
    assertThat(templates).allSatisfy((name, template) -> assertThat(
        template.getSpec().getTerminationGracePeriodSeconds()).as(name).isNotNull().isPositive());
    assertThat(templates.get("Deployment/hogwild-gpu-worker").getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(5 + 90 + 25);
    assertThat(templates.get("StatefulSet/hogwild-redis").getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(30);
  }

  /**
   * The GPU worker's drain: the preStop hook sleeps, then SIGTERM starts the drain, whose grace for running sessions
   * is the worker's own hogwild.worker.drain-grace; the pod's grace period covers the hook, the drain and the server's
   * shutdown after it, so Kubernetes never kills a worker while it still drains.
   */
  @ParameterizedTest
  @ValueSource(strings = {"", "values-gpu.yaml"})
  void theGpuWorkersGracePeriodCoversItsPreStopHookAndItsDrain(String valuesFile) {
    RenderedChart rendered = valuesFile.isEmpty() ? chart : HelmChart.renderWithFile(valuesFile);
    long graceSeconds = valuesFile.isEmpty() ? 90 : 270;
    Container worker = rendered.container("gpu-worker");
    long preStop = worker.getLifecycle().getPreStop().getSleep().getSeconds();
    assertThat(preStop).isPositive();
    assertThat(rendered.configData("gpu-worker")).containsEntry("HOGWILD_WORKER_DRAIN_GRACE", graceSeconds + "s");
    long podGrace = rendered.deployment("gpu-worker").getSpec().getTemplate().getSpec()
        .getTerminationGracePeriodSeconds();
    assertThat(podGrace).isEqualTo(preStop + graceSeconds + 25);

    RenderedChart longer = HelmChart.renderWith("gpuWorker.drain.graceSeconds", "600",
        "gpuWorker.drain.preStopSeconds", "10");
    assertThat(longer.configData("gpu-worker")).containsEntry("HOGWILD_WORKER_DRAIN_GRACE", "600s");
    assertThat(longer.deployment("gpu-worker").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(10 + 600 + 25);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "orchestrator", "gpu-worker"})
  void everyServiceGetsTheServiceCredentialFromTheSecret(String component) {
    EnvVar token = chart.container(component).getEnv().stream()
        .filter(e -> e.getName().equals("HOGWILD_INTERNAL_TOKEN")).findFirst().orElseThrow();
    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hogwild-internal-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    assertThat(chart.configData(component)).doesNotContainKey("HOGWILD_INTERNAL_TOKEN");
  }

  @Test
  void theTokenIsGeneratedWhenNotGivenAndOtherwiseTakenAsGiven() {
    String generated = decode(chart.get(Secret.class, "hogwild-internal-token"), "token");
    assertThat(generated).matches("[A-Za-z0-9]{48}");
    assertThat(decode(HelmChart.renderWith("internalToken.value", "given-token-123")
        .get(Secret.class, "hogwild-internal-token"), "token")).isEqualTo("given-token-123");

    RenderedChart external = HelmChart.renderWith("internalToken.existingSecret", "platform-credentials",
        "internalToken.secretKey", "hogwild");
    assertThat(external.find(Secret.class, "hogwild-internal-token")).isEmpty();
    for (String component : SERVICES) {
      assertThat(external.container(component).getEnv()).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("HOGWILD_INTERNAL_TOKEN");
        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("platform-credentials");
        assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hogwild");
      });
    }
  }

  @Test
  void metricsStayScrapableByAnnotationOnTheInternalServices() {
    assertThat(chart.configData("orchestrator")).containsEntry("HOGWILD_INTERNAL_OPENPATHS", "/actuator/prometheus");
    assertThat(chart.configData("gpu-worker")).containsEntry("HOGWILD_INTERNAL_OPENPATHS", "/actuator/prometheus");
    RenderedChart quiet = HelmChart.renderWith("management.prometheusAnnotations", "false");
    assertThat(quiet.configData("orchestrator")).doesNotContainKey("HOGWILD_INTERNAL_OPENPATHS");
    assertThat(quiet.configData("gpu-worker")).doesNotContainKey("HOGWILD_INTERNAL_OPENPATHS");
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
