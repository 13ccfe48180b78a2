package io.ollamaflow.examples.spring;

import java.net.URI;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code llm.*} settings: the inference servers behind {@code /llm}, e.g.
 * {@code llm.backends[0].url=http://gpu-1:11434} and {@code llm.backends[1].api-format=OpenAI}.
 */
@ConfigurationProperties("llm")
public record LlmProperties(@DefaultValue List<Server> backends) {

  /** One inference server; {@code maxParallelRequests} is left to OllamaFlow's default when unset. */
  public record Server(URI url, @DefaultValue("Ollama") String apiFormat, Integer maxParallelRequests) {
    public Server {
      if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
        throw new IllegalArgumentException("llm.backends[].url: " + url + " (expected: http://host:port or https://host:port)");
      }
    }
  }
}
