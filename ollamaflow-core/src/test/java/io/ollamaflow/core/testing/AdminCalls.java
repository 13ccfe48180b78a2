package io.ollamaflow.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Calls of the REST admin API through a harness's real port, and checks of its answers. */
public final class AdminCalls {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String BAD_REQUEST_MESSAGE =
      "We were unable to discern your request.  Please check your URL, query, and request body.";

  private final ScenarioHarness harness;
  private final String token;

  public AdminCalls(ScenarioHarness harness, String token) {
    this.harness = harness;
    this.token = token;
  }

  /** The call with the admin token; a PUT or POST without a body sends an empty one. */
  public Response call(String method, String path, String body) throws Exception {
    RequestBody requestBody = body == null ? null : RequestBody.create(body, ScenarioHarness.JSON);
    if (requestBody == null && (method.equals("PUT") || method.equals("POST"))) {
      requestBody = RequestBody.create(new byte[0], null);
    }
    return harness.call(new Request.Builder().url(harness.url(path)).method(method, requestBody)
        .header("Authorization", "Bearer " + token));
  }

  /** The answer's JSON, after checking its status; closes the response. */
  public static JsonNode json(Response response, int expectedStatus) throws IOException {
    try (response) {
      String body = response.body().string();
      assertThat(response.code()).as("status; body: %s", body).isEqualTo(expectedStatus);
      return JSON.readTree(body);
    }
  }

  /** Checks OllamaFlow's error shape, the real status in it, and that no stack trace leaked; closes the response. */
  public static void assertError(Response response, int status, String error, String descriptionStart)
      throws IOException {
    try (response) {
      String body = response.body().string();
      assertThat(response.code()).as("status; body: %s", body).isEqualTo(status);
      JsonNode json = JSON.readTree(body);
      assertThat(json.get("Error").asText()).isEqualTo(error);
      assertThat(json.get("StatusCode").asInt()).isEqualTo(status);
      assertThat(json.get("Description").asText()).startsWith(descriptionStart);
      if (error.equals("BadRequest")) assertThat(json.get("Message").asText()).isEqualTo(BAD_REQUEST_MESSAGE);
      assertThat(body).doesNotContain("Exception", "\tat ");
    }
  }
}
