package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The typed objects of one `helm template` run. */
record RenderedChart(String text, List<HasMetadata> objects) {

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    List<T> matches = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
    assertThat(matches).as("%s named %s", type.getSimpleName(), name).hasSizeLessThan(2);
    return matches.stream().findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name).orElseThrow(() -> new AssertionError(
        "no " + type.getSimpleName() + " named " + name + "; rendered: " + names()));
  }

  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  Deployment deployment(String component) {
    return get(Deployment.class, HelmChart.name(component));
  }

  /** The only container of a component's Deployment. */
  Container container(String component) {
    List<Container> containers = deployment(component).getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).as("containers of %s", component).hasSize(1);
    return containers.get(0);
  }

  Map<String, String> configData(String component) {
    return get(ConfigMap.class, HelmChart.name(component)).getData();
  }

  /** Pod templates of every workload (Deployments and StatefulSets), by object name. */
  Map<String, PodTemplateSpec> podTemplates() {
    Map<String, PodTemplateSpec> templates = new java.util.LinkedHashMap<>();
    all(Deployment.class).forEach(d -> templates.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
    all(StatefulSet.class).forEach(s -> templates.put("StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate()));
    return templates;
  }
}
