package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict manifest parser the chart tests rely on: it must reject what Kubernetes would. */
class ManifestsTest {

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: web
                image: nginx
                %s:
                  httpGet: {path: /, port: 80}
      """;

  @Test
  void parsesKnownKindsIntoTypedObjects() {
    List<HasMetadata> objects = Manifests.parse("---\n# Source: x\n" + DEPLOYMENT.formatted("readinessProbe")
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: b}\n---\n");
    assertThat(objects).hasSize(2);
    assertThat(objects.get(0)).isInstanceOf(Deployment.class);
    assertThat(((Deployment) objects.get(0)).getSpec().getTemplate().getSpec().getContainers().get(0)
        .getReadinessProbe().getHttpGet().getPath()).isEqualTo("/");
    assertThat(objects.get(1)).isInstanceOfSatisfying(ConfigMap.class,
        cm -> assertThat(cm.getData()).containsEntry("A", "b"));
  }

  @Test
  void rejectsKindsTheModelDoesNotKnow() {
    assertThatThrownBy(() -> Manifests.parse(
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: {}\n"))
        .hasMessageContaining("unknown kind monitoring.coreos.com/v1/ServiceMonitor");
    assertThatThrownBy(() -> Manifests.parse("apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: d}\n"))
        .hasMessageContaining("unknown kind");
  }

  @Test
  void rejectsMisspeltFields() {
    assertThatThrownBy(() -> Manifests.parse(DEPLOYMENT.formatted("readinesProbe")))
        .hasMessageContaining("readinesProbe");
  }

  @Test
  void rejectsDocumentsWithoutKindOrName() {
    assertThatThrownBy(() -> Manifests.parse("metadata: {name: x}\n")).hasMessageContaining("apiVersion/kind");
    assertThatThrownBy(() -> Manifests.parse("apiVersion: v1\nkind: ConfigMap\ndata: {}\n"))
        .hasMessageContaining("metadata.name");
  }
}
