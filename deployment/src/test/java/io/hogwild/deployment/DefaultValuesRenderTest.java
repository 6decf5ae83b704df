package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What `helm template` renders with the default values. */
class DefaultValuesRenderTest {

  private static final List<String> SERVICES = List.of("gateway", "orchestrator", "gpu-worker");

  private final RenderedChart chart = HelmChart.render();

  @Test
  void rendersExactlyTheExpectedObjects() {
    assertThat(chart.names()).containsExactlyInAnyOrder(
        "ServiceAccount/hogwild",
        "Secret/hogwild-api-keys", "Secret/hogwild-internal-token",
        "ConfigMap/hogwild-gateway", "ConfigMap/hogwild-orchestrator", "ConfigMap/hogwild-gpu-worker",
        "PersistentVolumeClaim/hogwild-model",
        "Service/hogwild-gateway", "Service/hogwild-orchestrator", "Service/hogwild-gpu-worker",
        "Service/hogwild-redis", "Service/hogwild-redis-headless",
        "Deployment/hogwild-gateway", "Deployment/hogwild-orchestrator", "Deployment/hogwild-gpu-worker",
        "StatefulSet/hogwild-redis",
        "HorizontalPodAutoscaler/hogwild-gateway", "HorizontalPodAutoscaler/hogwild-orchestrator",
        "PodDisruptionBudget/hogwild-gateway", "PodDisruptionBudget/hogwild-orchestrator",
        "PodDisruptionBudget/hogwild-gpu-worker",
        "NetworkPolicy/hogwild-gateway", "NetworkPolicy/hogwild-orchestrator",
        "NetworkPolicy/hogwild-gpu-worker", "NetworkPolicy/hogwild-redis");
  }

  @ParameterizedTest
  @CsvSource({
      "gateway, 8080, hogwild/gateway-service:0.1.0",
      "orchestrator, 8081, hogwild/orchestrator-service:0.1.0",
      "gpu-worker, 8082, hogwild/gpu-worker-service:0.1.0"})
  void deploymentListensOnItsPortWithTheReleaseImage(String component, int port, String image) {
    Container container = chart.container(component);
    assertThat(container.getImage()).isEqualTo(image);
    assertThat(container.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("http", port));
    assertThat(chart.configData(component)).containsEntry("SERVER_PORT", String.valueOf(port));

    Service service = chart.get(Service.class, HelmChart.name(component));
    assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(port);
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    Map<String, String> podLabels = chart.deployment(component).getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(chart.deployment(component).getSpec().getSelector().getMatchLabels());
    assertThat(podLabels).containsEntry("app.kubernetes.io/component", component);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "orchestrator", "gpu-worker"})
  void probesHitTheActuatorHealthGroupsOnTheServicePort(String component) {
    Container container = chart.container(component);
    assertHttpProbe(container.getLivenessProbe(), "/actuator/health/liveness");
    assertHttpProbe(container.getReadinessProbe(), "/actuator/health/readiness");
    assertHttpProbe(container.getStartupProbe(), "/actuator/health/liveness");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo(container.getPorts().get(0).getName());
    assertThat(chart.configData(component))
        .containsEntry("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "true")
        .hasEntrySatisfying("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE",
            v -> assertThat(v.split(",")).contains("health", "prometheus"));
    Map<String, String> annotations = chart.deployment(component).getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("prometheus.io/path", "/actuator/prometheus")
        .containsEntry("prometheus.io/port", String.valueOf(container.getPorts().get(0).getContainerPort()));
  }

  private static void assertHttpProbe(Probe probe, String path) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet()).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getPeriodSeconds()).isPositive();
    assertThat(probe.getFailureThreshold()).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "orchestrator", "gpu-worker"})
  void configMapIsLoadedAndRollsThePodsThroughAChecksum(String component) {
    Deployment deployment = chart.deployment(component);
    Container container = chart.container(component);
    assertThat(container.getEnvFrom()).extracting(EnvFromSource::getConfigMapRef).isNotEmpty()
        .allSatisfy(ref -> assertThat(ref.getName()).isEqualTo(HelmChart.name(component)));
    chart.get(ConfigMap.class, HelmChart.name(component));
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .hasEntrySatisfying("checksum/config", v -> assertThat(v).matches("[0-9a-f]{64}"));
  }

  @Test
  void checksumsChangeExactlyWhenTheirInputsChange() {
    RenderedChart changedGateway = HelmChart.renderWith("gateway.rateLimitPerMinute", "99");
    assertThat(checksum(changedGateway, "gateway", "checksum/config")).isNotEqualTo(checksum(chart, "gateway", "checksum/config"));
    assertThat(checksum(changedGateway, "orchestrator", "checksum/config")).isEqualTo(checksum(chart, "orchestrator", "checksum/config"));
    assertThat(checksum(changedGateway, "gpu-worker", "checksum/config")).isEqualTo(checksum(chart, "gpu-worker", "checksum/config"));

    RenderedChart changedWorker = HelmChart.renderWith("gpuWorker.model.subPath", "llama3");
    assertThat(checksum(changedWorker, "gpu-worker", "checksum/config")).isNotEqualTo(checksum(chart, "gpu-worker", "checksum/config"));

    RenderedChart newKey = HelmChart.renderWith("apiKeys.users[0].name", "team-a",
        "apiKeys.users[0].sha256", SecretsTest.TEAM_A_SHA256);
    for (String component : List.of("gateway", "orchestrator")) {
      assertThat(checksum(newKey, component, "checksum/api-keys")).matches("[0-9a-f]{64}")
          .isNotEqualTo(checksum(chart, component, "checksum/api-keys"));
    }
  }

  private static String checksum(RenderedChart chart, String component, String annotation) {
    return chart.deployment(component).getSpec().getTemplate().getMetadata().getAnnotations().get(annotation);
  }

  @Test
  void theServicesFindEachOtherByTheRenderedServiceNames() {
    URI redis = URI.create(chart.configData("orchestrator").get("SPRING_DATA_REDIS_URL"));
    Service redisService = chart.get(Service.class, redis.getHost());
    assertThat(redis.getScheme()).isEqualTo("redis");
    assertThat(redisService.getSpec().getPorts()).extracting(ServicePort::getPort).contains(redis.getPort());
    for (String component : SERVICES) {
      assertThat(chart.configData(component)).containsEntry("SPRING_DATA_REDIS_URL", redis.toString());
    }

    URI orchestrator = URI.create(chart.configData("gateway").get("HOGWILD_GATEWAY_ORCHESTRATOR_URL"));
    assertThat(orchestrator.getHost()).isEqualTo("hogwild-orchestrator");
    assertThat(chart.get(Service.class, orchestrator.getHost()).getSpec().getPorts())
        .extracting(ServicePort::getPort).contains(orchestrator.getPort());

    assertThat(chart.configData("orchestrator").get("HOGWILD_WORKER_REGISTRY_PREFIX"))
        .isNotBlank().isEqualTo(chart.configData("gpu-worker").get("HOGWILD_WORKER_REGISTRY_PREFIX"));
    assertThat(chart.container("gpu-worker").getEnv()).anySatisfy(env -> {
      assertThat(env.getName()).isEqualTo("HOGWILD_WORKER_ADVERTISED_URL");
      assertThat(env.getValue()).isEqualTo("http://$(POD_IP):8082");
    });
  }

  @Test
  void gpuWorkerIsHeadlessAndMountsTheModelReadOnly() {
    assertThat(chart.get(Service.class, "hogwild-gpu-worker").getSpec().getClusterIP()).isEqualTo("None");
    PodSpec pod = chart.deployment("gpu-worker").getSpec().getTemplate().getSpec();
    VolumeMount model = mount(chart.container("gpu-worker"), "model");
    assertThat(model.getReadOnly()).isTrue();
    assertThat(chart.configData("gpu-worker").get("HOGWILD_MODEL_PATH")).isEqualTo(model.getMountPath() + "/qwen3");
    Volume volume = volume(pod, "model");
    assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("hogwild-model");
    PersistentVolumeClaim claim = chart.get(PersistentVolumeClaim.class, "hogwild-model");
    assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");
    assertThat(chart.deployment("gpu-worker").getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
  }

  @Test
  void everyPodRunsAsNonRootWithAReadOnlyRootFilesystemAndRequestsResources() {
    Map<String, PodTemplateSpec> templates = chart.podTemplates();
    assertThat(templates).hasSize(4);
    templates.forEach((name, template) -> {
      PodSpec pod = template.getSpec();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).as(name).isPositive();
      assertThat(pod.getServiceAccountName()).as(name).isEqualTo("hogwild");
      assertThat(pod.getAutomountServiceAccountToken()).as(name).isFalse();
      Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
      for (Container c : pod.getContainers()) {
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(name).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(name).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(name).contains("ALL");
        assertThat(c.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as(name).containsKey("memory");
        assertThat(c.getVolumeMounts()).as(name).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        if (template.getMetadata().getLabels().get("app.kubernetes.io/component").equals("redis")) {
          continue; // its data volume comes from the claim template
        }
        for (VolumeMount m : c.getVolumeMounts()) {
          assertThat(volumes).as("%s mounts a declared volume", name).contains(m.getName());
        }
      }
    });
    chart.get(ServiceAccount.class, "hogwild");
  }

  @Test
  void redisIsAStatefulSetWithAPersistentVolume() {
    StatefulSet redis = chart.get(StatefulSet.class, "hogwild-redis");
    assertThat(redis.getSpec().getServiceName()).isEqualTo("hogwild-redis-headless");
    assertThat(chart.get(Service.class, "hogwild-redis-headless").getSpec().getClusterIP()).isEqualTo("None");
    assertThat(redis.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
      assertThat(pvc.getMetadata().getName()).isEqualTo("data");
      assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("8Gi");
    });
    Container container = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("data");
      assertThat(m.getMountPath()).isEqualTo("/data");
    });
    assertThat(container.getReadinessProbe().getExec().getCommand()).contains("redis-cli", "ping");
    assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(6379);
  }

  @Test
  void autoscalersTargetTheGatewayAndOrchestratorDeployments() {
    for (String component : List.of("gateway", "orchestrator")) {
      HorizontalPodAutoscaler hpa = chart.get(HorizontalPodAutoscaler.class, HelmChart.name(component));
      assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
      assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
      Deployment target = chart.get(Deployment.class, hpa.getSpec().getScaleTargetRef().getName());
      assertThat(target.getSpec().getReplicas()).as("the HPA owns the replica count").isNull();
      assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
      assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThan(hpa.getSpec().getMinReplicas());
      assertThat(hpa.getSpec().getMetrics()).anySatisfy(metric -> {
        assertThat(metric.getResource().getName()).isEqualTo("cpu");
        assertThat(metric.getResource().getTarget().getAverageUtilization()).isBetween(1, 100);
      });
    }
    assertThat(chart.all(HorizontalPodAutoscaler.class)).hasSize(2);

    RenderedChart fixed = HelmChart.renderWith("gateway.autoscaling.enabled", "false", "gateway.replicaCount", "3");
    assertThat(fixed.find(HorizontalPodAutoscaler.class, "hogwild-gateway")).isEmpty();
    assertThat(fixed.deployment("gateway").getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void disruptionBudgetsSelectTheirComponentsPods() {
    for (String component : SERVICES) {
      PodDisruptionBudget pdb = chart.get(PodDisruptionBudget.class, HelmChart.name(component));
      Map<String, String> podLabels = chart.deployment(component).getSpec().getTemplate().getMetadata().getLabels();
      assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
      assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", component);
      assertThat(pdb.getSpec().getMinAvailable() != null || pdb.getSpec().getMaxUnavailable() != null).isTrue();
    }
    assertThat(chart.get(PodDisruptionBudget.class, "hogwild-gateway").getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(chart.get(PodDisruptionBudget.class, "hogwild-gpu-worker").getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void apiKeysAreMountedFromTheSecretWhereTheConfigSaysTheyAre() {
    Secret secret = chart.get(Secret.class, "hogwild-api-keys");
    assertThat(secret.getData()).containsOnlyKeys("api-keys", "admin-keys");
    assertFileFromSecret("gateway", "HOGWILD_GATEWAY_API_KEYS_FILE", "api-keys");
    assertFileFromSecret("gateway", "HOGWILD_GATEWAY_ADMIN_KEYS_FILE", "admin-keys");
    assertFileFromSecret("orchestrator", "HOGWILD_ORCHESTRATOR_ADMIN_KEYS_FILE", "admin-keys");
    assertThat(chart.deployment("orchestrator").getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .flatExtracting(v -> v.getSecret().getItems()).extracting("key")
        .as("the orchestrator never sees the user keys").containsExactly("admin-keys");
  }

  private void assertFileFromSecret(String component, String envName, String secretKey) {
    String file = chart.configData(component).get(envName);
    assertThat(file).as(envName).isNotBlank();
    Container container = chart.container(component);
    PodSpec pod = chart.deployment(component).getSpec().getTemplate().getSpec();
    VolumeMount mount = container.getVolumeMounts().stream()
        .filter(m -> file.startsWith(m.getMountPath() + "/")).findFirst()
        .orElseThrow(() -> new AssertionError(envName + "=" + file + " is not under any mount"));
    assertThat(mount.getReadOnly()).isTrue();
    Volume volume = volume(pod, mount.getName());
    assertThat(volume.getSecret()).as("%s comes from a Secret", envName).isNotNull();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("hogwild-api-keys");
    String relative = file.substring(mount.getMountPath().length() + 1);
    assertThat(volume.getSecret().getItems()).anySatisfy(item -> {
      assertThat(item.getKey()).isEqualTo(secretKey);
      assertThat(item.getPath()).isEqualTo(relative);
    });
  }

  static VolumeMount mount(Container container, String volumeName) {
    return container.getVolumeMounts().stream().filter(m -> m.getName().equals(volumeName)).findFirst()
        .orElseThrow(() -> new AssertionError("no mount of volume " + volumeName));
  }

  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
