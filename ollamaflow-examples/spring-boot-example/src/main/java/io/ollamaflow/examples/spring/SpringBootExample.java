package io.ollamaflow.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A Spring Boot 3.5 application (Spring MVC on Tomcat) that serves its own endpoints and mounts
 * the cluster under {@code /llm/*}: {@code /llm/api/chat} reaches the cluster as {@code /api/chat}.
 * The backends come from {@code llm.backends} (see {@code application.properties}).
 *
 * <pre>
 * mvn -B -q package -DskipTests
 * java -jar ollamaflow-examples/spring-boot-example/target/ollamaflow-spring-boot-example-0.1.0-SNAPSHOT.jar \
 *   --llm.backends[0].url=http://localhost:11434
 * curl -N localhost:8080/llm/api/chat -d '{"model":"llama3.2","messages":[{"role":"user","content":"Hi"}]}'
 * </pre>
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SpringBootExample {
  public static void main(String[] args) {
    SpringApplication.run(SpringBootExample.class, args);
  }
}
