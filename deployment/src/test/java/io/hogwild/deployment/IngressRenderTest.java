package io.hogwild.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import org.junit.jupiter.api.Test;

/** The optional Ingress in front of the gateway. */
class IngressRenderTest {

  @Test
  void noIngressByDefault() {
    assertThat(HelmChart.render().all(Ingress.class)).isEmpty();
  }

  @Test
  void gpuExampleRoutesItsHostToTheGatewayService() {
    RenderedChart chart = HelmChart.renderWithFile("values-gpu.yaml");
    Ingress ingress = chart.get(Ingress.class, "hogwild-gateway");
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
    assertThat(ingress.getSpec().getTls()).singleElement()
        .satisfies(tls -> assertThat(tls.getHosts()).containsExactly("hogwild.example.com"));
    assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getHost()).isEqualTo("hogwild.example.com");
      assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
        assertThat(path.getPathType()).isEqualTo("Prefix");
        IngressServiceBackend backend = path.getBackend().getService();
        Service service = chart.get(Service.class, backend.getName());
        assertThat(service.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "gateway");
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName).contains(backend.getPort().getName());
      });
    });
  }
}
