package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml: every name it uses (services, ports, depends_on targets, volumes,
 * secrets, variables, URLs between services) resolves, and its environment is the same
 * contract as the Helm chart's.
 */
class DockerComposeTest {

  static final Path FILE = Path.of(System.getProperty("hogwild.compose.file",
      Path.of("..", "docker-compose.yml").toString())).toAbsolutePath().normalize();
  static final Path REPO = FILE.getParent();

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:-([^}]*))?}");
  private static final Map<String, String> JAVA_SERVICES = Map.of(
      "gateway", "gateway-service", "orchestrator", "orchestrator-service",
      "gpu-worker", "gpu-worker-service", "gpu-worker-cuda", "gpu-worker-service");

  static String text;
  static Map<String, Object> compose;
  static Map<String, Map<String, Object>> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    text = Files.readString(FILE);
    // SafeConstructor resolves the "<<" merge keys the file uses for shared settings.
    compose = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    services = (Map<String, Map<String, Object>>) (Map<?, ?>) compose.get("services");
  }

  @Test
  void declaresRedisAndTheThreeServices() {
    assertThat(services).containsOnlyKeys("redis", "gateway", "orchestrator", "gpu-worker", "gpu-worker-cuda");
    assertThat(string(services.get("redis"), "image")).startsWith("docker.io/library/redis:");
    services.forEach((name, service) -> assertThat(service).as(name).containsKeys("image", "healthcheck"));
  }

  @Test
  void javaServicesUseTheJibImagesTaggedWithTheChartAppVersion() throws IOException {
    Map<String, Object> chart = new Yaml().load(Files.readString(HelmChart.DIR.resolve("Chart.yaml")));
    String appVersion = (String) chart.get("appVersion");
    JAVA_SERVICES.forEach((name, artifact) -> {
      String image = resolveDefaults(string(services.get(name), "image"));
      String expected = "hogwild/" + artifact + ":" + appVersion + (name.endsWith("-cuda") ? "-cu128" : "");
      assertThat(image).as(name).isEqualTo(expected);
      assertThat(string(services.get(name), "image")).as(name).startsWith("${HOGWILD_REGISTRY:-}hogwild/");
    });
    assertThat(text).contains("jib:dockerBuild", "jib:build");
  }

  @Test
  void everyVariableHasADefaultAndIsDocumented() {
    Matcher m = VARIABLE.matcher(text);
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      assertThat(m.group(2)).as("${%s} needs a default so compose runs without an .env file", m.group(1)).isNotNull();
      names.add(m.group(1));
    }
    assertThat(names).isNotEmpty();
    String header = text.substring(0, text.indexOf("\nname:"));
    for (String name : names) {
      assertThat(header).as("variable %s documented in the header", name).contains(name);
    }
    assertThat(text.replaceAll(VARIABLE.pattern(), "")).as("only ${VAR:-default} forms").doesNotContain("${");
  }

  @Test
  void dependsOnTargetsExistAndAreHealthChecked() {
    services.forEach((name, service) -> {
      Map<String, Object> dependsOn = map(service, "depends_on");
      dependsOn.forEach((target, condition) -> {
        assertThat(services).as("%s depends on %s", name, target).containsKey(target);
        assertThat(target).isNotEqualTo(name);
        assertThat(map(dependsOn, target)).containsEntry("condition", "service_healthy");
        assertThat(services.get(target)).containsKey("healthcheck");
        assertThat(map(services.get(target), "depends_on")).as("no cycle").doesNotContainKey(name);
        assertThat(services.get(target).get("profiles")).as("%s needs %s, which must not hide in a profile", name, target).isNull();
      });
    });
    assertThat(map(services.get("gateway"), "depends_on")).containsKeys("redis", "orchestrator");
    assertThat(map(services.get("orchestrator"), "depends_on")).containsKey("redis");
    assertThat(map(services.get("gpu-worker"), "depends_on")).containsKey("redis");
    assertThat(map(services.get("gpu-worker-cuda"), "depends_on")).containsKey("redis");
  }

  @Test
  void portMappingsPublishTheServicePortsWithoutClashes() {
    Set<String> hostPorts = new HashSet<>();
    JAVA_SERVICES.keySet().forEach(name -> {
      Map<String, Object> service = services.get(name);
      int serverPort = Integer.parseInt(env(name).get("SERVER_PORT"));
      List<String> ports = strings(service, "ports");
      assertThat(ports).as(name).isNotEmpty();
      for (String mapping : ports) {
        String[] parts = resolveDefaults(mapping).split(":");
        assertThat(parts.length).as(mapping).isBetween(2, 3);
        assertThat(Integer.parseInt(parts[parts.length - 1])).as("container port of %s", name).isEqualTo(serverPort);
        String hostPort = parts[parts.length - 2];
        assertThat(Integer.parseInt(hostPort)).isBetween(1, 65535);
        assertThat(hostPorts.add(hostPort)).as("host port %s used twice", hostPort).isTrue();
      }
      assertThat(healthcheck(name)).contains("/dev/tcp/127.0.0.1/" + serverPort, "/actuator/health/readiness");
    });
    assertThat(list(services.get("gateway"), "ports")).contains("${HOGWILD_GATEWAY_PORT:-8080}:8080");
    assertThat(services.get("redis")).doesNotContainKey("ports");
  }

  @Test
  void urlsBetweenServicesPointAtServicesAndTheirPorts() {
    JAVA_SERVICES.keySet().forEach(name -> {
      URI redis = URI.create(env(name).get("SPRING_DATA_REDIS_URL"));
      assertThat(redis.getScheme()).isEqualTo("redis");
      assertThat(services).containsKey(redis.getHost());
      assertThat(redis.getPort()).isEqualTo(redisPort());
    });
    URI orchestrator = URI.create(env("gateway").get("HOGWILD_GATEWAY_ORCHESTRATOR_URL"));
    assertThat(orchestrator.getHost()).isEqualTo("orchestrator");
    assertThat(orchestrator.getPort()).isEqualTo(Integer.parseInt(env("orchestrator").get("SERVER_PORT")));
    for (String worker : List.of("gpu-worker", "gpu-worker-cuda")) {
      URI advertised = URI.create(env(worker).get("HOGWILD_WORKER_ADVERTISED_URL"));
      assertThat(advertised.getHost()).as("a worker advertises its own service name").isEqualTo(worker);
      assertThat(advertised.getPort()).isEqualTo(Integer.parseInt(env(worker).get("SERVER_PORT")));
      assertThat(env(worker).get("HOGWILD_WORKER_REGISTRY_PREFIX"))
          .isEqualTo(env("orchestrator").get("HOGWILD_WORKER_REGISTRY_PREFIX"));
    }
  }

  @Test
  void volumesAreDeclaredAndTheModelIsMountedReadOnly() {
    Map<String, Object> declared = map(compose, "volumes");
    Set<String> used = new HashSet<>();
    services.forEach((name, service) -> {
      for (String volume : strings(service, "volumes")) {
        String source = volume.split(":")[0];
        if (!source.startsWith(".") && !source.startsWith("/") && !source.startsWith("$")) {
          assertThat(declared).as("named volume %s of %s", source, name).containsKey(source);
          used.add(source);
        }
      }
    });
    assertThat(used).as("every declared volume is used").containsExactlyInAnyOrderElementsOf(declared.keySet());
    for (String worker : List.of("gpu-worker", "gpu-worker-cuda")) {
      String model = strings(services.get(worker), "volumes").stream()
          .filter(v -> v.contains(":/models")).findFirst().orElseThrow();
      String[] parts = model.split(":");
      String target = parts[parts.length - 2];
      assertThat(parts[parts.length - 1]).isEqualTo("ro");
      assertThat(resolveDefaults(env(worker).get("HOGWILD_MODEL_PATH"))).startsWith(target + "/");
      String cache = env(worker).get("DJL_CACHE_DIR");
      assertThat(strings(services.get(worker), "volumes")).as("DJL cache is writable").anyMatch(v -> v.endsWith(":" + cache));
    }
  }

  @Test
  void keyFilesComeFromDeclaredSecretsHoldingOnlyHashes() throws IOException {
    Map<String, Object> secrets = map(compose, "secrets");
    for (String name : List.of("gateway", "orchestrator")) {
      List<String> granted = strings(services.get(name), "secrets");
      for (Map.Entry<String, String> e : env(name).entrySet()) {
        if (e.getKey().endsWith("_KEYS_FILE")) {
          assertThat(e.getValue()).startsWith("/run/secrets/");
          String secret = e.getValue().substring("/run/secrets/".length());
          assertThat(granted).as("%s may read %s", name, secret).contains(secret);
          assertThat(secrets).containsKey(secret);
        }
      }
      for (String secret : granted) {
        assertThat(secrets).containsKey(secret);
      }
    }
    assertThat(list(services.get("orchestrator"), "secrets")).doesNotContain("hogwild-api-keys");
    for (String secret : secrets.keySet()) {
      Path file = REPO.resolve(resolveDefaults(string(map(secrets, secret), "file"))).normalize();
      assertThat(file).as(secret).isRegularFile();
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          assertThat(line).as("%s holds <name>:<sha256-hex> lines", file).matches("[A-Za-z0-9._-]{1,64}:[0-9a-f]{64}");
        }
      }
    }
    assertThat(Files.readString(REPO.resolve("deployment/compose/api-keys.txt")))
        .contains("dev:" + SecretsTest.sha256("hogwild-dev-key"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void cudaWorkerReservesAnNvidiaGpuInItsOwnProfile() {
    Map<String, Object> cuda = services.get("gpu-worker-cuda");
    assertThat(list(cuda, "profiles")).containsExactly("gpu");
    List<Map<String, Object>> devices = (List<Map<String, Object>>) (List<?>)
        list(map(map(map(cuda, "deploy"), "resources"), "reservations"), "devices");
    assertThat(devices).singleElement().satisfies(d -> {
      assertThat(d).containsEntry("driver", "nvidia");
      assertThat((List<String>) d.get("capabilities")).contains("gpu");
      assertThat(d.get("count")).isEqualTo(1);
    });
    assertThat(env("gpu-worker-cuda")).containsEntry("HOGWILD_WORKER_DEVICE", "gpu");
    assertThat(services.get("gpu-worker")).doesNotContainKeys("deploy", "profiles");
    assertThat(env("gpu-worker")).containsEntry("HOGWILD_WORKER_DEVICE", "cpu");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "orchestrator", "gpu-worker", "gpu-worker-cuda"})
  void environmentIsTheSameContractAsTheHelmChart(String name) {
    String component = name.replace("-cuda", "");
    RenderedChart chart = HelmChart.render();
    Set<String> chartNames = new TreeSet<>(chart.configData(component).keySet());
    chart.container(component).getEnv().forEach(e -> chartNames.add(e.getName()));
    Set<String> composeNames = env(name).keySet();
    assertThat(chartNames).as("variables compose sets for %s that the chart does not know", name)
        .containsAll(composeNames);
    Set<String> hogwildInChart = new TreeSet<>(chartNames);
    hogwildInChart.removeIf(n -> !n.startsWith("HOGWILD_") && !n.equals("SPRING_DATA_REDIS_URL") && !n.equals("SERVER_PORT"));
    assertThat(composeNames).as("contract variables of %s missing in compose", name).containsAll(hogwildInChart);
    assertThat(env(name).get("SERVER_PORT")).isEqualTo(chart.configData(component).get("SERVER_PORT"));
  }

  // ---- helpers

  private static int redisPort() {
    Object command = services.get("redis").get("command");
    String joined = command instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : String.valueOf(command);
    Matcher m = Pattern.compile("--port\\s+(\\d+)").matcher(joined);
    return m.find() ? Integer.parseInt(m.group(1)) : 6379;
  }

  private static String healthcheck(String name) {
    Object test = map(services.get(name), "healthcheck").get("test");
    return test instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : String.valueOf(test);
  }

  static Map<String, String> env(String service) {
    Object environment = services.get(service).get("environment");
    Map<String, String> result = new LinkedHashMap<>();
    if (environment instanceof Map<?, ?> m) {
      m.forEach((k, v) -> result.put(String.valueOf(k), String.valueOf(v)));
    } else if (environment instanceof List<?> l) {
      for (Object entry : l) {
        String[] kv = String.valueOf(entry).split("=", 2);
        result.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
    }
    return result;
  }

  /** Replaces ${VAR:-default} by its default, as compose does without an .env file. */
  static String resolveDefaults(String value) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(3) == null ? "" : m.group(3)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String string(Map<String, Object> map, String key) {
    Object value = map.get(key);
    assertThat(value).as(key).isInstanceOf(String.class);
    return (String) value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      return new HashMap<>();
    }
    assertThat(value).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  private static List<String> strings(Map<String, Object> map, String key) {
    List<String> result = new ArrayList<>();
    for (Object o : list(map, key)) {
      result.add(String.valueOf(o));
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> list(Map<String, Object> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      return new ArrayList<>();
    }
    assertThat(value).as(key).isInstanceOf(List.class);
    return (List<T>) value;
  }
}
