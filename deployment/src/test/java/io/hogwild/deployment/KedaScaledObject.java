package io.hogwild.deployment;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KEDA's ScaledObject (keda.sh/v1alpha1) as a typed model, written after KEDA's CRD (keda.sh/docs/2.16/reference/
 * scaledobject-spec), so that the chart's ScaledObject is checked like every other manifest: a field KEDA does not
 * have lands in {@code additionalProperties}, which {@link Manifests} reports as an error. KEDA publishes no Java
 * model; fabric8 learns this one through {@link Manifests}.
 */
@Group("keda.sh")
@Version("v1alpha1")
@Kind("ScaledObject")
public class KedaScaledObject extends CustomResource<KedaScaledObject.Spec, Map<String, Object>>
    implements Namespaced {

  /** What every part of the model has: the fields it does not know, for {@link Manifests} to report. */
  public abstract static class Strict {
    public Map<String, Object> additionalProperties = new LinkedHashMap<>();

    @JsonAnySetter
    public void unknown(String name, Object value) {
      additionalProperties.put(name, value);
    }

    @JsonAnyGetter
    public Map<String, Object> unknown() {
      return additionalProperties;
    }
  }

  public static class Spec extends Strict {
    public ScaleTarget scaleTargetRef;
    public Integer pollingInterval;
    public Integer cooldownPeriod;
    public Integer initialCooldownPeriod;
    public Integer idleReplicaCount;
    public Integer minReplicaCount;
    public Integer maxReplicaCount;
    public Fallback fallback;
    public Advanced advanced;
    public List<Trigger> triggers;
  }

  public static class ScaleTarget extends Strict {
    public String apiVersion;
    public String kind;
    public String name;
    public String envSourceContainerName;
  }

  public static class Fallback extends Strict {
    public Integer failureThreshold;
    public Integer replicas;
  }

  public static class Advanced extends Strict {
    public Boolean restoreToOriginalReplicaCount;
    public HpaConfig horizontalPodAutoscalerConfig;
    public Map<String, Object> scalingModifiers;
  }

  public static class HpaConfig extends Strict {
    public String name;
    public HorizontalPodAutoscalerBehavior behavior;
  }

  public static class Trigger extends Strict {
    public String type;
    public String name;
    public Boolean useCachedMetrics;
    public String metricType;
    /** KEDA takes every metadata value as a string. */
    public Map<String, String> metadata;
    public AuthenticationRef authenticationRef;
  }

  public static class AuthenticationRef extends Strict {
    public String name;
    public String kind;
  }
}
