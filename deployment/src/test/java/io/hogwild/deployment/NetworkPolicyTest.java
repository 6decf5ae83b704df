package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evaluates the rendered NetworkPolicies the way a CNI plugin does (ingress only, which is
 * all the chart restricts) against the real pod labels of the rendered workloads.
 */
class NetworkPolicyTest {

  /** A pod that could try to connect: its labels and whether it lives in the release namespace. */
  record Source(String name, Map<String, String> labels, boolean sameNamespace) {
  }

  private final RenderedChart chart = HelmChart.render();

  @Test
  void redisAcceptsOnlyTheHogwildServices() {
    PodTemplateSpec redis = chart.podTemplates().get("StatefulSet/hogwild-redis");
    for (String component : List.of("gateway", "orchestrator", "gpu-worker")) {
      assertThat(allowed(chart, source(component), redis, 6379)).as("%s -> redis", component).isTrue();
    }
    assertThat(allowed(chart, outsider(), redis, 6379)).as("other pod of the namespace -> redis").isFalse();
    assertThat(allowed(chart, otherNamespace(), redis, 6379)).as("pod of another namespace -> redis").isFalse();
    Source otherRelease = new Source("other release", Map.of("app.kubernetes.io/name", "hogwild",
        "app.kubernetes.io/instance", "staging", "app.kubernetes.io/component", "gateway"), true);
    assertThat(allowed(chart, otherRelease, redis, 6379)).as("gateway of another release -> redis").isFalse();
  }

  @Test
  void gpuWorkersAcceptOnlyTheOrchestrator() {
    PodTemplateSpec worker = chart.podTemplates().get("Deployment/hogwild-gpu-worker");
    assertThat(allowed(chart, source("orchestrator"), worker, 8082)).isTrue();
    assertThat(allowed(chart, source("gateway"), worker, 8082)).as("gateway -> worker").isFalse();
    assertThat(allowed(chart, source("redis"), worker, 8082)).as("redis -> worker").isFalse();
    assertThat(allowed(chart, outsider(), worker, 8082)).isFalse();
    assertThat(allowed(chart, otherNamespace(), worker, 8082)).isFalse();
    assertThat(allowed(chart, source("orchestrator"), worker, 9999)).as("other ports stay closed").isFalse();
  }

  @Test
  void orchestratorIsInternal() {
    PodTemplateSpec orchestrator = chart.podTemplates().get("Deployment/hogwild-orchestrator");
    assertThat(allowed(chart, source("gateway"), orchestrator, 8081)).isTrue();
    assertThat(allowed(chart, source("gpu-worker"), orchestrator, 8081)).isTrue();
    assertThat(allowed(chart, outsider(), orchestrator, 8081)).isFalse();
    assertThat(allowed(chart, otherNamespace(), orchestrator, 8081)).isFalse();
  }

  @Test
  void gatewayIsOpenOnItsHttpPortOnly() {
    PodTemplateSpec gateway = chart.podTemplates().get("Deployment/hogwild-gateway");
    assertThat(allowed(chart, outsider(), gateway, 8080)).isTrue();
    assertThat(allowed(chart, otherNamespace(), gateway, 8080)).isTrue();
    assertThat(allowed(chart, otherNamespace(), gateway, 5005)).isFalse();
  }

  @Test
  void metricsScrapersCanBeAllowedExplicitly() {
    RenderedChart scraped = HelmChart.renderWith(
        "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "monitoring");
    PodTemplateSpec worker = scraped.podTemplates().get("Deployment/hogwild-gpu-worker");
    assertThat(allowed(scraped, otherNamespace(), worker, 8082)).isTrue();
    assertThat(allowed(scraped, outsider(), worker, 8082)).as("same-namespace pods still refused").isFalse();
    PodTemplateSpec redis = scraped.podTemplates().get("StatefulSet/hogwild-redis");
    assertThat(allowed(scraped, otherNamespace(), redis, 6379)).as("redis is never scraped").isFalse();
  }

  @Test
  void disablingPoliciesRemovesThem() {
    assertThat(HelmChart.renderWith("networkPolicy.enabled", "false").all(NetworkPolicy.class)).isEmpty();
  }

  private Source source(String component) {
    String key = component.equals("redis") ? "StatefulSet/hogwild-redis" : "Deployment/hogwild-" + component;
    return new Source(component, chart.podTemplates().get(key).getMetadata().getLabels(), true);
  }

  private static Source outsider() {
    return new Source("outsider", Map.of("app", "debug-shell"), true);
  }

  private static Source otherNamespace() {
    return new Source("other namespace", Map.of("app.kubernetes.io/name", "prometheus"), false);
  }

  /** Ingress semantics of networking.k8s.io/v1 for a source pod connecting to a target pod. */
  static boolean allowed(RenderedChart chart, Source from, PodTemplateSpec target, int port) {
    Map<String, String> targetLabels = target.getMetadata().getLabels();
    List<NetworkPolicy> selecting = chart.all(NetworkPolicy.class).stream()
        .filter(p -> p.getSpec().getPolicyTypes().contains("Ingress"))
        .filter(p -> matches(p.getSpec().getPodSelector(), targetLabels))
        .toList();
    if (selecting.isEmpty()) {
      return true; // not isolated
    }
    for (NetworkPolicy policy : selecting) {
      for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
        if (portMatches(rule.getPorts(), target, port) && peerMatches(rule.getFrom(), from)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean portMatches(List<NetworkPolicyPort> ports, PodTemplateSpec target, int port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      IntOrString value = p.getPort();
      if (value == null) {
        return true;
      }
      if (value.getIntVal() != null && value.getIntVal() == port) {
        return true;
      }
      if (value.getStrVal() != null) {
        for (Container c : target.getSpec().getContainers()) {
          for (ContainerPort cp : c.getPorts()) {
            if (value.getStrVal().equals(cp.getName()) && cp.getContainerPort() == port) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /**
   * A peer matches when its podSelector (without namespaceSelector: same namespace only)
   * selects the source. A namespaceSelector or an ipBlock is taken to match any pod of
   * another namespace (the test cannot know namespace labels; assuming a match is the
   * cautious reading) and, with an empty podSelector, any pod of the own namespace too.
   */
  private static boolean peerMatches(List<NetworkPolicyPeer> peers, Source from) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        return true;
      }
      if (peer.getNamespaceSelector() != null) {
        boolean anyNamespace = isEmpty(peer.getNamespaceSelector());
        boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), from.labels());
        if (podOk && (!from.sameNamespace() || anyNamespace)) {
          return true;
        }
        continue;
      }
      if (peer.getPodSelector() != null && from.sameNamespace() && matches(peer.getPodSelector(), from.labels())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEmpty(LabelSelector selector) {
    return (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
  }

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = labels.get(r.getKey());
        boolean ok = switch (r.getOperator()) {
          case "In" -> value != null && r.getValues().contains(value);
          case "NotIn" -> value == null || !r.getValues().contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> throw new IllegalArgumentException("operator " + r.getOperator());
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
