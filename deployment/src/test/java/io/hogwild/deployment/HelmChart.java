package io.hogwild.deployment;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chart under test (helm/hogwild), rendered with the Helm library that helm-java embeds:
 * the same template engine as the helm CLI, without needing a helm binary or a cluster.
 */
final class HelmChart {

  static final Path DIR = Path.of(System.getProperty("hogwild.chart.dir",
      Path.of("..", "helm", "hogwild").toString())).toAbsolutePath().normalize();
  static final String RELEASE = "hogwild";
  static final String NAMESPACE = "hogwild";
  /** A current Kubernetes version; the chart requires >= 1.25. */
  static final String KUBE_VERSION = "v1.30.0";

  private static final Map<String, RenderedChart> CACHE = new ConcurrentHashMap<>();

  private HelmChart() {
  }

  static Helm helm() {
    if (!Files.isRegularFile(DIR.resolve("Chart.yaml"))) {
      throw new IllegalStateException("no chart at " + DIR);
    }
    return new Helm(DIR);
  }

  static LintResult lint() {
    return helm().lint().strict().call();
  }

  /** Default values. */
  static RenderedChart render() {
    return render(List.of(), Map.of());
  }

  /** Default values plus --set pairs: key1, value1, key2, value2, ... */
  static RenderedChart renderWith(String... keyValuePairs) {
    return render(List.of(), pairs(keyValuePairs));
  }

  /** A values file of the chart (e.g. values-gpu.yaml) plus --set pairs. */
  static RenderedChart renderWithFile(String valuesFile, String... keyValuePairs) {
    return render(List.of(DIR.resolve(valuesFile)), pairs(keyValuePairs));
  }

  static RenderedChart render(List<Path> valuesFiles, Map<String, String> sets) {
    String key = valuesFiles + "|" + sets;
    return CACHE.computeIfAbsent(key, k -> {
      String text = template(valuesFiles, sets);
      return new RenderedChart(text, Manifests.parse(text));
    });
  }

  /** Raw output of helm template; throws IllegalStateException when rendering fails. */
  static String template(List<Path> valuesFiles, Map<String, String> sets) {
    TemplateCommand command = helm().template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
    for (Path file : valuesFiles) {
      command = command.withValuesFile(file);
    }
    for (Map.Entry<String, String> set : sets.entrySet()) {
      command = command.set(set.getKey(), set.getValue());
    }
    return command.call();
  }

  static Map<String, String> pairs(String... keyValuePairs) {
    if (keyValuePairs.length % 2 != 0) {
      throw new IllegalArgumentException("key/value pairs expected");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValuePairs.length; i += 2) {
      map.put(keyValuePairs[i], keyValuePairs[i + 1]);
    }
    return map;
  }

  static String name(String component) {
    return RELEASE + "-" + component;
  }
}
