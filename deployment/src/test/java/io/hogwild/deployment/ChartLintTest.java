package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** helm lint, chart metadata and the documentation of every value. */
class ChartLintTest {

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = HelmChart.lint();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void chartMetadataIsApiV2WithTheServicesVersion() throws IOException {
    Map<String, Object> chart = new Yaml().load(Files.readString(HelmChart.DIR.resolve("Chart.yaml")));
    assertThat(chart).containsEntry("apiVersion", "v2")
        .containsEntry("name", "hogwild")
        .containsEntry("type", "application")
        .containsEntry("appVersion", "0.1.0");
    assertThat(HelmChart.DIR.resolve("templates/_helpers.tpl")).isRegularFile();
    assertThat(HelmChart.DIR.resolve("templates/NOTES.txt")).isRegularFile();
    assertThat(HelmChart.DIR.resolve("values-gpu.yaml")).isRegularFile();
  }

  @Test
  void everyValueIsDocumented() throws IOException {
    for (String file : List.of("values.yaml", "values-gpu.yaml")) {
      assertThat(undocumentedKeys(HelmChart.DIR.resolve(file)))
          .as("keys of %s without a comment line right above them", file).isEmpty();
    }
  }

  @Test
  void readmeDocumentsTopLevelValuesAndInstallation() throws IOException {
    String readme = Files.readString(HelmChart.DIR.resolve("README.md"));
    Map<String, Object> values = new Yaml().load(Files.readString(HelmChart.DIR.resolve("values.yaml")));
    for (String key : values.keySet()) {
      assertThat(readme).as("README mentions value %s", key).contains("`" + key);
    }
    assertThat(readme).contains("helm upgrade --install", "values-gpu.yaml", "HOGWILD_GATEWAY_API_KEYS_FILE",
        "HOGWILD_MODEL_PATH", "SPRING_DATA_REDIS_URL");
  }

  /** Free-form Kubernetes structures: documented at their own key, not key by key inside. */
  private static final Set<String> PASSTHROUGH = Set.of("nodeSelector", "tolerations", "affinity",
      "topologySpreadConstraints", "annotations", "podAnnotations", "podLabels", "commonLabels",
      "extraEnv", "extraConfig", "hosts", "tls", "imagePullSecrets", "metricsFrom", "gatewayFrom",
      "orchestratorExtraFrom");

  /**
   * Keys without a comment line right above them. Keys inside list items and inside the
   * free-form structures above are exempt (their parent key carries the comment).
   */
  static List<String> undocumentedKeys(Path file) throws IOException {
    Pattern key = Pattern.compile("^(\\s*)(- )?([A-Za-z0-9_./\\-]+|\"[^\"]+\"):(\\s|$)");
    List<String> lines = Files.readAllLines(file);
    List<String> missing = new ArrayList<>();
    Deque<Object[]> ancestors = new ArrayDeque<>(); // {indent, key, insideListItem}
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.trim().startsWith("#")) {
        continue;
      }
      Matcher m = key.matcher(line);
      if (!m.find()) {
        continue;
      }
      boolean listItem = m.group(2) != null;
      int indent = m.group(1).length() + (listItem ? 2 : 0);
      while (!ancestors.isEmpty() && (int) ancestors.peek()[0] >= indent) {
        ancestors.pop();
      }
      boolean exempt = listItem || ancestors.stream().anyMatch(a -> (boolean) a[2] || PASSTHROUGH.contains((String) a[1]));
      ancestors.push(new Object[] {indent, m.group(3), listItem});
      String previous = i == 0 ? "" : lines.get(i - 1).trim();
      if (!exempt && !previous.startsWith("#")) {
        missing.add(file.getFileName() + ":" + (i + 1) + ": " + line.trim());
      }
    }
    return missing;
  }
}
