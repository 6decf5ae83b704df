package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The GPU worker: GPUs only when asked for, scheduling on GPU nodes, the model volume. */
class GpuWorkerRenderTest {

  private static final String GPU = "nvidia.com/gpu";

  @Test
  void defaultValuesAskForNoGpuAnywhere() {
    RenderedChart chart = HelmChart.render();
    chart.podTemplates().forEach((name, template) -> {
      for (Container c : template.getSpec().getContainers()) {
        assertThat(resourceNames(c)).as(name).doesNotContain(GPU);
      }
      assertThat(template.getSpec().getNodeSelector()).as(name).isNullOrEmpty();
      assertThat(template.getSpec().getTolerations()).as(name).isNullOrEmpty();
    });
    assertThat(chart.text()).doesNotContain(GPU);
    assertThat(chart.configData("gpu-worker")).containsEntry("HOGWILD_WORKER_DEVICE", "cpu");
  }

  @Test
  void gpuValuesScheduleOneGpuPerWorkerOnNvidiaNodes() {
    RenderedChart chart = HelmChart.renderWithFile("values-gpu.yaml");
    Container worker = chart.container("gpu-worker");
    assertThat(worker.getResources().getLimits()).containsEntry(GPU, new Quantity("1"));
    assertThat(worker.getImage()).isEqualTo("hogwild/gpu-worker-service:0.1.0-cu128");
    assertThat(chart.container("gateway").getImage()).isEqualTo("hogwild/gateway-service:0.1.0");

    PodSpec pod = chart.deployment("gpu-worker").getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
    assertThat(pod.getTolerations()).anySatisfy(t -> {
      assertThat(t.getKey()).isEqualTo(GPU);
      assertThat(t.getEffect()).isEqualTo("NoSchedule");
    });
    assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
    assertThat(chart.deployment("gpu-worker").getSpec().getReplicas()).isEqualTo(2);
    assertThat(chart.configData("gpu-worker"))
        .containsEntry("HOGWILD_WORKER_DEVICE", "gpu")
        .containsEntry("HOGWILD_MODEL_PATH", "/models/QwQ-32B");

    Volume model = DefaultValuesRenderTest.volume(pod, "model");
    assertThat(model.getPersistentVolumeClaim().getClaimName()).isEqualTo("hogwild-models");
    assertThat(model.getPersistentVolumeClaim().getReadOnly()).isTrue();
    assertThat(chart.all(PersistentVolumeClaim.class)).as("an existing claim is used, none created").isEmpty();

    // only the worker asks for GPUs
    for (String component : List.of("gateway", "orchestrator")) {
      assertThat(resourceNames(chart.container(component))).doesNotContain(GPU);
      assertThat(chart.deployment(component).getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
    }
  }

  @Test
  void gpuCountAndResourceNameFollowTheValues() {
    RenderedChart chart = HelmChart.renderWith("gpuWorker.gpu.enabled", "true", "gpuWorker.gpu.count", "4");
    Map<String, Quantity> limits = chart.container("gpu-worker").getResources().getLimits();
    assertThat(limits).containsEntry(GPU, new Quantity("4")).containsKey("memory");
    assertThatThrownBy(() -> HelmChart.renderWith("gpuWorker.gpu.enabled", "true", "gpuWorker.gpu.count", "0"))
        .hasMessageContaining("gpuWorker.gpu.count");
  }

  @Test
  void modelCanComeFromAHostPath() {
    RenderedChart chart = HelmChart.renderWith("gpuWorker.model.source", "hostPath",
        "gpuWorker.model.hostPath.path", "/data/qwen");
    Volume model = DefaultValuesRenderTest.volume(chart.deployment("gpu-worker").getSpec().getTemplate().getSpec(), "model");
    assertThat(model.getHostPath().getPath()).isEqualTo("/data/qwen");
    assertThat(model.getPersistentVolumeClaim()).isNull();
    assertThat(chart.all(PersistentVolumeClaim.class)).isEmpty();
  }

  @Test
  void invalidModelSourcesAreRefusedWithAClearMessage() {
    assertThatThrownBy(() -> HelmChart.renderWith("gpuWorker.model.source", "s3"))
        .hasMessageContaining("gpuWorker.model.source must be pvc, existingClaim or hostPath");
    assertThatThrownBy(() -> HelmChart.renderWith("gpuWorker.model.source", "existingClaim"))
        .hasMessageContaining("gpuWorker.model.existingClaim");
  }

  private static List<String> resourceNames(Container c) {
    List<String> names = new java.util.ArrayList<>();
    if (c.getResources().getLimits() != null) {
      names.addAll(c.getResources().getLimits().keySet());
    }
    if (c.getResources().getRequests() != null) {
      names.addAll(c.getResources().getRequests().keySet());
    }
    return names;
  }
}
