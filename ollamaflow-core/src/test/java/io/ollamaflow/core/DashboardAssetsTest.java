package io.ollamaflow.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ollamaflow.core.testing.ScenarioHarness;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard's files, served by the admin handler under /dashboard/ without a token. */
class DashboardAssetsTest {
  private final ScenarioHarness harness = new ScenarioHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void theDashboardIsServedFromTheJarWithoutATokenAndOnlyForReading() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().adminBearerTokens(List.of("secret-token")));
    try (Response page = harness.get("/dashboard/")) {
      assertThat(page.code()).isEqualTo(200);
      assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
      assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
      String html = page.body().string();
      assertThat(html).contains("<script src=\"dashboard.js\">").doesNotContain("secret-token");
    }
    try (Response script = harness.get("/dashboard/dashboard.js")) {
      assertThat(script.code()).isEqualTo(200);
      assertThat(script.header("Content-Type")).startsWith("text/javascript");
    }
    OkHttpClient noRedirects = harness.client.newBuilder().followRedirects(false).build();
    try (Response bare = noRedirects.newCall(new Request.Builder().url(harness.url("/dashboard")).build()).execute()) {
      assertThat(bare.code()).isEqualTo(301);
      assertThat(bare.header("Location")).isEqualTo("/dashboard/");
    }
    try (Response missing = harness.get("/dashboard/../v1.0/backends")) {
      assertThat(missing.code()).as("only the dashboard's own files").isIn(401, 404);
    }
    try (Response missing = harness.get("/dashboard/secrets.txt")) {
      assertThat(missing.code()).isEqualTo(404);
    }
    try (Response post = harness.call(new Request.Builder().url(harness.url("/dashboard/index.html"))
        .post(RequestBody.create("{}", ScenarioHarness.JSON)))) {
      assertThat(post.code()).isEqualTo(405);
      assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
    }
  }

  @Test
  void withoutAdminTokensTheDashboardPathIsTheProxysLikeAnyOther() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks());
    try (Response page = harness.get("/dashboard/")) {
      assertThat(page.code()).isNotEqualTo(200);
      assertThat(page.body().string()).doesNotContain("<html");
    }
  }
}
