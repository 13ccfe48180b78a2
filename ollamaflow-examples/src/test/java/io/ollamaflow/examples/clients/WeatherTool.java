package io.ollamaflow.examples.clients;

import static io.ollamaflow.examples.clients.TranslatingCluster.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.util.List;

/**
 * The tool the tests offer, a question that makes the simulators call it (they call the first tool
 * when the user mentions the weather), and the arguments they fill in from its schema.
 */
final class WeatherTool {
  static final String NAME = "get_weather";
  static final String QUESTION = "What is the weather in Paris?";
  static final String ARGUMENTS = "{\"city\":\"Paris\",\"days\":1}";

  static final ToolSpecification LANGCHAIN4J = ToolSpecification.builder().name(NAME)
      .description("Current weather in a city")
      .parameters(JsonObjectSchema.builder().addStringProperty("city").addIntegerProperty("days").required("city").build())
      .build();

  private WeatherTool() {}

  /** The arguments of a call as a client or backend wrote them: the same JSON, spacing aside. */
  static void assertArguments(String arguments) {
    assertThat(json(arguments)).isEqualTo(json(ARGUMENTS));
  }

  /** Exactly one whole call of the tool, as langchain4j hands it to the application. */
  static void assertOneLangChain4jCall(List<ToolExecutionRequest> calls) {
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).name()).isEqualTo(NAME);
    assertThat(calls.get(0).id()).isNotBlank();
    assertArguments(calls.get(0).arguments());
  }
}
