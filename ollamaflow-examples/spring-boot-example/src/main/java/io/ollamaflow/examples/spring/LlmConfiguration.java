package io.ollamaflow.examples.spring;

import io.ollamaflow.api.ApiFormat;
import io.ollamaflow.api.Backend;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.FlowCluster;
import io.ollamaflow.core.InMemoryConfigStore;
import io.ollamaflow.core.http.FlowServlet;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The cluster as a bean, and its servlet under {@code /llm/*} beside the application's controllers. */
@Configuration(proxyBeanMethods = false)
class LlmConfiguration {

  /**
   * Closed when the context closes, which is after the graceful web server shutdown has let the
   * streams in flight finish (server.shutdown=graceful).
   */
  @Bean(destroyMethod = "close")
  FlowCluster flowCluster(LlmProperties llm) {
    InMemoryConfigStore store = new InMemoryConfigStore();
    List<String> ids = new ArrayList<>();
    for (LlmProperties.Server server : llm.backends()) {
      Backend backend = backend("backend-" + (ids.size() + 1), server);
      store.putBackend(backend);
      ids.add(backend.identifier());
    }
    store.putFrontend(Frontend.builder("main").backends(ids).build());
    return FlowCluster.builder().configStore(store).build();
  }

  private static Backend backend(String id, LlmProperties.Server server) {
    URI url = server.url();
    boolean ssl = "https".equals(url.getScheme());
    Backend.Builder backend = Backend.builder(id).hostname(url.getHost())
        .port(url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80).ssl(ssl).apiFormat(ApiFormat.of(server.apiFormat()));
    if (server.maxParallelRequests() != null) backend.maxParallelRequests(server.maxParallelRequests());
    return backend.build();
  }

  /** The servlet sees paths relative to its mapping: {@code /llm/v1/models} reaches the cluster as {@code /v1/models}. */
  @Bean
  ServletRegistrationBean<FlowServlet> flowServlet(FlowCluster cluster) {
    ServletRegistrationBean<FlowServlet> registration =
        new ServletRegistrationBean<>(new FlowServlet(cluster.httpHandler()), "/llm/*");
    registration.setName("ollamaflow");
    registration.setLoadOnStartup(1);
    return registration;
  }

  /**
   * Model ids such as {@code Qwen/Qwen3-8B} reach {@code /v1/models/{id}} as {@code Qwen%2FQwen3-8B};
   * Tomcat answers those with its own HTML 400 unless the connector passes {@code %2F} through
   * (Spring Boot 3.5 has no property for it). Passed through, the servlet sees the path undecoded
   * and the cluster decodes the id itself.
   */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> encodedSlashesPassThrough() {
    return factory -> factory.addConnectorCustomizers(
        connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue()));
  }
}
