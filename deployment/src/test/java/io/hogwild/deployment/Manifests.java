package io.hogwild.deployment;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Turns the text printed by {@code helm template} into typed fabric8 objects, strictly: a
 * document whose apiVersion/kind fabric8 does not know (a CRD, a typo such as {@code apps/v2})
 * and any field the typed model does not know (a misspelt {@code readinesProbe}) is an error, so
 * that the assertions of the tests look at what Kubernetes would really see.
 */
final class Manifests {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static {
    // Custom resources the chart may render (KEDA's ScaledObject), typed like the built-in kinds.
    SERIALIZATION.registerKubernetesResource(KedaScaledObject.class);
  }

  private Manifests() {
  }

  static List<HasMetadata> parse(String multiDocumentYaml) {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<HasMetadata> result = new ArrayList<>();
    int index = 0;
    for (Object document : yaml.loadAll(multiDocumentYaml)) {
      index++;
      if (document == null) {
        continue; // an empty document between two "---"
      }
      if (!(document instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException("document " + index + " is not a mapping: " + document);
      }
      Object apiVersion = map.get("apiVersion");
      Object kind = map.get("kind");
      if (!(apiVersion instanceof String) || !(kind instanceof String)) {
        throw new IllegalArgumentException("document " + index + " has no apiVersion/kind: " + map);
      }
      Class<? extends KubernetesResource> type =
          SERIALIZATION.getRegisteredKubernetesResource((String) apiVersion, (String) kind);
      if (type == null || type == GenericKubernetesResource.class || !HasMetadata.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException("document " + index + ": unknown kind " + apiVersion + "/" + kind);
      }
      HasMetadata object = (HasMetadata) SERIALIZATION.convertValue(map, type);
      String where = kind + "/" + (object.getMetadata() == null ? "?" : object.getMetadata().getName());
      if (object.getMetadata() == null || object.getMetadata().getName() == null) {
        throw new IllegalArgumentException("document " + index + " (" + kind + ") has no metadata.name");
      }
      List<String> unknown = new ArrayList<>();
      collectUnknownFields(object, where, unknown);
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException("fields unknown to the Kubernetes model: " + unknown);
      }
      result.add(object);
    }
    return result;
  }

  /** Walks a fabric8 model tree and reports every non-empty additionalProperties map. */
  static void collectUnknownFields(Object node, String path, List<String> unknown) {
    if (node == null) {
      return;
    }
    if (node instanceof Collection<?> collection) {
      int i = 0;
      for (Object element : collection) {
        collectUnknownFields(element, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> collectUnknownFields(value, path + "." + key, unknown));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")
        && !(node instanceof KedaScaledObject) && !(node instanceof KedaScaledObject.Strict)) {
      return;
    }
    for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        Object value;
        try {
          field.setAccessible(true);
          value = field.get(node);
        } catch (ReflectiveOperationException | RuntimeException e) {
          continue;
        }
        if (field.getName().equals("additionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            unknown.add(path + " " + extra.keySet());
          }
        } else {
          collectUnknownFields(value, path + "." + field.getName(), unknown);
        }
      }
    }
  }
}
