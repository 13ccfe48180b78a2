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

class RouteClassifierTest {

  /** A concrete path for each route: the route's path, with a parameter filled in where it has one. */
  private static String samplePath(ProxyRoute route) {
    switch (route) {
      case BLOB: return "/api/blobs/sha256:abc";
      case OPENAI_MODEL: return "/v1/models/llama3:8b";
      default: return route.path();
    }
  }

  /** Every route with every method it allows. */
  static Stream<Arguments> everyRouteAndMethod() {
    return Arrays.stream(ProxyRoute.values())
        .flatMap(route -> route.methods().stream().map(method -> Arguments.of(route, method, samplePath(route))));
  }

  @ParameterizedTest(name = "{1} {2} -> {0}")
  @MethodSource("everyRouteAndMethod")
  void everyRouteMapsFromItsMethodAndPath(ProxyRoute route, String method, String path) {
    assertThat(RouteClassifier.classify(method, path)).isSameAs(route);
  }

  @ParameterizedTest(name = "{1} {2}/ -> {0}")
  @MethodSource("everyRouteAndMethod")
  void trailingSlashIsTolerated(ProxyRoute route, String method, String path) {
    if (path.equals("/")) return;
    assertThat(RouteClassifier.classify(method, path + "/")).isSameAs(route);
  }

  @Test
  void everyRouteIsCovered() {
    assertThat(everyRouteAndMethod().map(a -> a.get()[0]).distinct()).containsExactlyInAnyOrder(
        (Object[]) ProxyRoute.values());
  }

  @Test
  void blobDigestIsBlob() {
    assertThat(RouteClassifier.classify("POST", "/api/blobs/sha256:abc")).isSameAs(ProxyRoute.BLOB);
    assertThat(RouteClassifier.classify("HEAD", "/api/blobs/sha256:abc")).isSameAs(ProxyRoute.BLOB);
  }

  @Test
  void blobWithTwoSegmentsIsNotFound() {
    assertThatThrownBy(() -> RouteClassifier.classify("POST", "/api/blobs/a/b"))
        .isInstanceOfSatisfying(FlowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(RouteClassifier.lookup("/api/blobs/a/b")).isNull();
  }

  @Test
  void blobWithoutDigestIsNotFound() {
    assertThat(RouteClassifier.lookup("/api/blobs/")).isNull();
    assertThat(RouteClassifier.lookup("/api/blobs")).isNull();
  }

  @Test
  void percentEncodedModelIdWithSlashesIsOpenAiModel() {
    assertThat(RouteClassifier.classify("GET", "/v1/models/hf.co%2Fuser%2Frepo:tag")).isSameAs(ProxyRoute.OPENAI_MODEL);
  }

  @Test
  void unencodedModelIdWithSlashesIsOpenAiModel() {
    assertThat(RouteClassifier.classify("GET", "/v1/models/hf.co/user/repo:tag")).isSameAs(ProxyRoute.OPENAI_MODEL);
  }

  @Test
  void modelsListIsNotMistakenForModelShow() {
    assertThat(RouteClassifier.classify("GET", "/v1/models")).isSameAs(ProxyRoute.OPENAI_MODELS);
    assertThat(RouteClassifier.classify("GET", "/v1/models/")).isSameAs(ProxyRoute.OPENAI_MODELS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/unknown", "/v2/chat/completions", "/apichat", "/api", "/api/chat/extra", ""})
  void unknownPathIsNotFound(String path) {
    assertThatThrownBy(() -> RouteClassifier.classify("POST", path))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
          assertThat(e.httpStatus()).isEqualTo(404);
          assertThat(e.getMessage()).contains("POST").contains(path);
        });
  }

  @Test
  void knownPathWithWrongMethodIsMethodNotAllowedListingAllowedMethods() {
    assertThatThrownBy(() -> RouteClassifier.classify("GET", "/api/chat"))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
          assertThat(e.httpStatus()).isEqualTo(405);
          assertThat(e.getMessage()).contains("GET").contains("/api/chat").contains("allowed: POST");
        });
  }

  @Test
  void methodNotAllowedListsEveryAllowedMethod() {
    assertThatThrownBy(() -> RouteClassifier.classify("PUT", "/api/blobs/sha256:abc"))
        .isInstanceOfSatisfying(FlowException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
          assertThat(e.getMessage()).contains("PUT").contains("HEAD").contains("POST");
        });
  }

  @Test
  void deleteRouteRefusesPost() {
    assertThatThrownBy(() -> RouteClassifier.classify("POST", "/api/delete"))
        .isInstanceOfSatisfying(FlowException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED));
  }

  @Test
  void lookupIgnoresMethod() {
    assertThat(RouteClassifier.lookup("/api/chat")).isSameAs(ProxyRoute.CHAT);
    assertThat(RouteClassifier.lookup("/api/chat/")).isSameAs(ProxyRoute.CHAT);
    assertThat(RouteClassifier.lookup("/")).isSameAs(ProxyRoute.ROOT);
    assertThat(RouteClassifier.lookup("/v1/models/x")).isSameAs(ProxyRoute.OPENAI_MODEL);
    assertThat(RouteClassifier.lookup("/api/blobs/sha256:abc")).isSameAs(ProxyRoute.BLOB);
    assertThat(RouteClassifier.lookup("/nope")).isNull();
  }
}
