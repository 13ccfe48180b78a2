package io.ollamaflow.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.api.Backend;
import org.junit.jupiter.api.Test;

class BackendRequestsTest {
  private static final Backend PLAIN = Backend.builder("b1").hostname("127.0.0.1").port(11434).build();
  private static final Backend WITH_QUERY = Backend.builder("b2").hostname("gpu-1.internal").port(8000)
      .querystring("api-version=2024-10-21").build();

  @Test
  void theClientsPathAndQueryGoToTheBackendAsTheyCame() {
    assertThat(BackendRequests.url(PLAIN, "/api/chat", null)).hasToString("http://127.0.0.1:11434/api/chat");
    assertThat(BackendRequests.url(PLAIN, "/api/show", "")).hasToString("http://127.0.0.1:11434/api/show");
    assertThat(BackendRequests.url(PLAIN, "/v1/models/a%2Fb", "x=1&y=%20"))
        .hasToString("http://127.0.0.1:11434/v1/models/a%2Fb?x=1&y=%20");
  }

  @Test
  void theBackendsQuerystringIsAppendedToTheClientsQuery() {
    assertThat(BackendRequests.url(WITH_QUERY, "/v1/chat/completions", null))
        .hasToString("http://gpu-1.internal:8000/v1/chat/completions?api-version=2024-10-21");
    assertThat(BackendRequests.url(WITH_QUERY, "/v1/chat/completions", "a=b"))
        .hasToString("http://gpu-1.internal:8000/v1/chat/completions?a=b&api-version=2024-10-21");
  }

  @Test
  void aPathThatLooksLikeAnotherHostStaysOnTheBackend() {
    assertThat(BackendRequests.url(PLAIN, "//evil.example/api/chat", null).host()).isEqualTo("127.0.0.1");
    assertThat(BackendRequests.url(PLAIN, "/api/../api/tags", null)).hasToString("http://127.0.0.1:11434/api/tags");
  }

  @Test
  void aPathWithoutALeadingSlashHasNoUrl() {
    assertThat(BackendRequests.url(PLAIN, "*", null)).isNull();
    assertThat(BackendRequests.url(PLAIN, "http://elsewhere/api/chat", null)).isNull();
  }

  @Test
  void aFragmentIsNeverSentAndDoesNotSwallowTheBackendsQuerystring() {
    assertThat(BackendRequests.url(WITH_QUERY, "/v1/models#top", null))
        .hasToString("http://gpu-1.internal:8000/v1/models?api-version=2024-10-21");
    assertThat(BackendRequests.url(WITH_QUERY, "/v1/models", "a=b#top"))
        .hasToString("http://gpu-1.internal:8000/v1/models?a=b&api-version=2024-10-21");
  }

  @Test
  void theClustersOwnRequestsSplitPathAndQueryAndTakeAConfiguredPathTrimmed() {
    assertThat(BackendRequests.to(WITH_QUERY, " /health?probe=1 ").build().url())
        .hasToString("http://gpu-1.internal:8000/health?probe=1&api-version=2024-10-21");
    assertThat(BackendRequests.to(PLAIN, "/api/tags").build().url()).hasToString("http://127.0.0.1:11434/api/tags");
    assertThatThrownBy(() -> BackendRequests.to(PLAIN, "api/tags"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("api/tags");
  }
}
