package io.ollamaflow.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.ErrorCode;
import io.ollamaflow.api.FlowException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointClassifierTest {

  /** A concrete path for each endpoint: the endpoint's path, with a parameter filled in where it has one. */
  private static String samplePath(ApiEndpoint endpoint) {
    switch (endpoint) {
      case BLOB: return "/api/blobs/sha256:abc";
      case OPENAI_MODEL: return "/v1/models/llama3:8b";
      default: return endpoint.path();
    }
  }

  /** Every endpoint with every method it allows. */
  static Stream<Arguments> everyRouteAndMethod() {
    return Arrays.stream(ApiEndpoint.values())
        .flatMap(endpoint -> endpoint.methods().stream().map(method -> Arguments.of(endpoint, method, samplePath(endpoint))));
  }

  @ParameterizedTest(name = "{1} {2} -> {0}")
  @MethodSource("everyRouteAndMethod")
  void everyRouteMapsFromItsMethodAndPath(ApiEndpoint endpoint, String method, String path) {
    assertThat(EndpointClassifier.classify(method, path)).isSameAs(endpoint);
  }

  @ParameterizedTest(name = "{1} {2}/ -> {0}")
  @MethodSource("everyRouteAndMethod")
  void trailingSlashIsTolerated(ApiEndpoint endpoint, String method, String path) {
    if (path.equals("/")) return;
    assertThat(EndpointClassifier.classify(method, path + "/")).isSameAs(endpoint);
  }

  @Test
  void everyRouteIsCovered() {
    assertThat(everyRouteAndMethod().map(a -> a.get()[0]).distinct()).containsExactlyInAnyOrder(
        (Object[]) ApiEndpoint.values());
  }

  @Test
  void blobDigestIsBlob() {
    assertThat(EndpointClassifier.classify("POST", "/api/blobs/sha256:abc")).isSameAs(ApiEndpoint.BLOB);
    assertThat(EndpointClassifier.classify("HEAD", "/api/blobs/sha256:abc")).isSameAs(ApiEndpoint.BLOB);
  }

  @Test
  void blobWithTwoSegmentsIsNotFound() {
    assertThatThrownBy(() -> EndpointClassifier.classify("POST", "/api/blobs/a/b"))
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(EndpointClassifier.lookup("/api/blobs/a/b")).isNull();
  }

  @Test
  void blobWithoutDigestIsNotFound() {
    assertThat(EndpointClassifier.lookup("/api/blobs/")).isNull();
    assertThat(EndpointClassifier.lookup("/api/blobs")).isNull();
  }

  @Test
  void percentEncodedModelIdWithSlashesIsOpenAiModel() {
    assertThat(EndpointClassifier.classify("GET", "/v1/models/hf.co%2Fuser%2Frepo:tag")).isSameAs(ApiEndpoint.OPENAI_MODEL);
  }

  @Test
  void unencodedModelIdWithSlashesIsOpenAiModel() {
    assertThat(EndpointClassifier.classify("GET", "/v1/models/hf.co/user/repo:tag")).isSameAs(ApiEndpoint.OPENAI_MODEL);
  }

  @Test
  void modelsListIsNotMistakenForModelShow() {
    assertThat(EndpointClassifier.classify("GET", "/v1/models")).isSameAs(ApiEndpoint.OPENAI_MODELS);
    assertThat(EndpointClassifier.classify("GET", "/v1/models/")).isSameAs(ApiEndpoint.OPENAI_MODELS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/unknown", "/v2/chat/completions", "/apichat", "/api", "/api/chat/extra", ""})
  void unknownPathIsNotFound(String path) {
    assertThatThrownBy(() -> EndpointClassifier.classify("POST", path))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
          assertThat(e.httpStatus()).isEqualTo(404);
          assertThat(e.getMessage()).contains("POST").contains(path);
        });
  }

  @Test
  void knownPathWithWrongMethodIsMethodNotAllowedListingAllowedMethods() {
    assertThatThrownBy(() -> EndpointClassifier.classify("GET", "/api/chat"))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
          assertThat(e.httpStatus()).isEqualTo(405);
          assertThat(e.getMessage()).contains("GET").contains("/api/chat").contains("allowed: POST");
        });
  }

  @Test
  void methodNotAllowedListsEveryAllowedMethod() {
    assertThatThrownBy(() -> EndpointClassifier.classify("PUT", "/api/blobs/sha256:abc"))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
          assertThat(e.getMessage()).contains("PUT").contains("HEAD").contains("POST");
        });
  }

  @Test
  void deleteRouteRefusesPost() {
    assertThatThrownBy(() -> EndpointClassifier.classify("POST", "/api/delete"))
        .isInstanceOfSatisfying(FlowException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED));
  }

  @Test
  void lookupIgnoresMethod() {
    assertThat(EndpointClassifier.lookup("/api/chat")).isSameAs(ApiEndpoint.CHAT);
    assertThat(EndpointClassifier.lookup("/api/chat/")).isSameAs(ApiEndpoint.CHAT);
    assertThat(EndpointClassifier.lookup("/")).isSameAs(ApiEndpoint.ROOT);
    assertThat(EndpointClassifier.lookup("/v1/models/x")).isSameAs(ApiEndpoint.OPENAI_MODEL);
    assertThat(EndpointClassifier.lookup("/api/blobs/sha256:abc")).isSameAs(ApiEndpoint.BLOB);
    assertThat(EndpointClassifier.lookup("/nope")).isNull();
  }
}
