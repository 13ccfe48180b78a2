package io.ollamaflow.core;

import static io.ollamaflow.core.testing.AdminCalls.assertError;
import static io.ollamaflow.core.testing.AdminCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ollamaflow.api.ApiKey;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.Frontend;
import io.ollamaflow.core.testing.AdminCalls;
import io.ollamaflow.core.testing.CapturedLog;
import io.ollamaflow.core.testing.ScenarioHarness;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code /v1.0/apikeys} of the REST admin API, driven with a real HTTP client through the cluster's own port. */
class AdminApiKeysTest {
  private static final String TOKEN = "apikeys-admin-token";
  /** An issued secret: the prefix, then 32 random bytes in unpadded base64url. */
  private static final String SECRET_PATTERN = "ofk_[A-Za-z0-9_-]{43}";

  private final ScenarioHarness harness = new ScenarioHarness();
  private AdminCalls admin;

  @BeforeEach
  void start() throws Exception {
    harness.start(b -> b.disableActiveHealthChecks().adminBearerTokens(List.of(TOKEN)));
    admin = new AdminCalls(harness, TOKEN);
    harness.store.putFrontend(Frontend.builder("f1").build());
    harness.store.putFrontend(Frontend.builder("f2").build());
    harness.cluster().reload();
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  /** JSON written with single quotes, for readability. */
  private static String j(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private Response call(String method, String path, String body) throws Exception {
    return admin.call(method, path, body);
  }

  @Test
  void createShowsTheSecretOnceAndTheStoreKeepsOnlyItsPrefixAndHash() throws Exception {
    JsonNode created = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci','Name':'CI pipeline',"
        + "'Frontends':['f1'],'Models':['llama3*','qwen2.5:7b'],'RequestsPerMinute':60,'TokensPerMinute':100000,"
        + "'MaxConcurrentRequests':2,'ExpiresUtc':'2099-01-02T03:04:05.123456Z'}")), 201);

    String secret = created.get("Secret").asText();
    assertThat(secret).matches(SECRET_PATTERN);
    assertThat(created.get("KeyPrefix").asText()).isEqualTo(secret.substring(0, ApiKey.PREFIX_LENGTH));
    assertThat(created.get("Name").asText()).isEqualTo("CI pipeline");
    assertThat(created.get("Frontends")).hasSize(1);
    assertThat(created.get("Models").get(0).asText()).isEqualTo("llama3*");
    assertThat(created.get("RequestsPerMinute").asInt()).isEqualTo(60);
    assertThat(created.get("TokensPerMinute").asLong()).isEqualTo(100_000);
    assertThat(created.get("MaxConcurrentRequests").asInt()).isEqualTo(2);
    assertThat(created.get("ExpiresUtc").asText()).isEqualTo("2099-01-02T03:04:05.123456Z");
    assertThat(created.get("Active").asBoolean()).isTrue();
    assertThat(Instant.parse(created.get("CreatedUtc").asText())).isAfter(Instant.now().minusSeconds(60));
    assertThat(created.get("Usage").get("Requests").asLong()).isZero();
    assertThat(created.has("KeyHash")).isFalse();

    ApiKey stored = harness.store.apiKey("ci").orElseThrow();
    assertThat(stored.matches(secret)).isTrue();
    assertThat(stored.keyHash()).isEqualTo(ApiKey.hashOf(secret));

    // Every later read shows the prefix, never the secret or its hash.
    for (String path : List.of("/v1.0/apikeys/ci", "/v1.0/apikeys", "/v1.0/apikeys/ci/usage")) {
      try (Response read = call("GET", path, null)) {
        String body = read.body().string();
        assertThat(read.code()).isEqualTo(200);
        assertThat(body).as(path).doesNotContain(secret, stored.keyHash(), "Secret", "KeyHash");
      }
    }
    ObjectNode withoutSecret = ((ObjectNode) created.deepCopy());
    withoutSecret.remove("Secret");
    assertThat(json(call("GET", "/v1.0/apikeys/ci", null), 200)).isEqualTo(withoutSecret);
  }

  @Test
  void twoKeysNeverShareASecret() throws Exception {
    String first = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'a'}")), 201).get("Secret").asText();
    String second = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'b'}")), 201).get("Secret").asText();
    assertThat(first).isNotEqualTo(second);
    assertThat(first.substring(0, ApiKey.PREFIX_LENGTH)).isNotEqualTo(second.substring(0, ApiKey.PREFIX_LENGTH));
  }

  @Test
  void listIsNewestFirstWithEachKeysUsage() throws Exception {
    harness.store.putApiKey(ApiKey.builder("older").secret("ofk_older-0123456789abcdef")
        .createdUtc(Instant.parse("2025-01-01T00:00:00Z")).build());
    harness.store.putApiKey(ApiKey.builder("newer").secret("ofk_newer-0123456789abcdef")
        .createdUtc(Instant.parse("2025-02-01T00:00:00Z")).build());
    harness.store.addApiKeyUsage(List.of(
        new ApiKeyUsage("older", 7, 700, 350, 2, Instant.parse("2025-03-01T12:00:00.25Z"))));

    JsonNode list = json(call("GET", "/v1.0/apikeys", null), 200);
    assertThat(list.findValuesAsText("Identifier")).containsExactly("newer", "older");
    JsonNode used = list.get(1).get("Usage");
    assertThat(used.get("Requests").asLong()).isEqualTo(7);
    assertThat(used.get("PromptTokens").asLong()).isEqualTo(700);
    assertThat(used.get("CompletionTokens").asLong()).isEqualTo(350);
    assertThat(used.get("Refusals").asLong()).isEqualTo(2);
    assertThat(used.get("LastUsedUtc").asText()).isEqualTo("2025-03-01T12:00:00.250000Z");
    assertThat(list.get(0).get("Usage").get("Requests").asLong()).isZero();
    assertThat(list.get(0).get("Usage").has("LastUsedUtc")).isFalse();

    JsonNode usage = json(call("GET", "/v1.0/apikeys/older/usage", null), 200);
    assertThat(usage.get("Identifier").asText()).isEqualTo("older");
    assertThat(usage.get("Requests").asLong()).isEqualTo(7);
    assertError(call("GET", "/v1.0/apikeys/ghost/usage", null), 404, "NotFound", "no API key with identifier 'ghost'");
  }

  @Test
  void updateReplacesEverythingButTheSecretAndKeepsCreatedUtc() throws Exception {
    JsonNode created = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci','Name':'CI','Frontends':['f1'],"
        + "'RequestsPerMinute':60}")), 201);
    String secret = created.get("Secret").asText();

    // The object as read, sent back whole with one change (read-only fields included), is accepted.
    ObjectNode edited = (ObjectNode) json(call("GET", "/v1.0/apikeys/ci", null), 200);
    edited.put("Active", false).put("Identifier", "ignored");
    JsonNode deactivated = json(call("PUT", "/v1.0/apikeys/ci", edited.toString()), 200);
    assertThat(deactivated.get("Active").asBoolean()).isFalse();
    assertThat(deactivated.get("RequestsPerMinute").asInt()).isEqualTo(60);
    assertThat(harness.store.apiKey("ignored")).isEmpty();

    // Full replacement: fields left out revert to their defaults.
    JsonNode replaced = json(call("PUT", "/v1.0/apikeys/ci", j("{'Models':['m'],'ExpiresUtc':'2020-01-01T00:00:00Z'}")), 200);
    assertThat(replaced.has("Name")).isFalse();
    assertThat(replaced.get("Frontends")).isEmpty();
    assertThat(replaced.get("RequestsPerMinute").asInt()).isZero();
    assertThat(replaced.get("Active").asBoolean()).isTrue();
    assertThat(replaced.get("ExpiresUtc").asText()).as("an update may expire a key at once")
        .isEqualTo("2020-01-01T00:00:00.000000Z");
    assertThat(replaced.get("KeyPrefix").asText()).isEqualTo(created.get("KeyPrefix").asText());
    assertThat(replaced.get("CreatedUtc").asText()).isEqualTo(created.get("CreatedUtc").asText());
    assertThat(Instant.parse(replaced.get("LastUpdateUtc").asText()))
        .isAfterOrEqualTo(Instant.parse(created.get("LastUpdateUtc").asText()));
    assertThat(replaced.has("Secret")).isFalse();
    assertThat(harness.store.apiKey("ci").orElseThrow().matches(secret)).as("the secret is kept").isTrue();

    assertError(call("PUT", "/v1.0/apikeys/ghost", "{}"), 404, "NotFound", "no API key with identifier 'ghost'");
  }

  @Test
  void rotateIssuesANewSecretOnceAndTheOldOneStopsMatching() throws Exception {
    String old = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci','RequestsPerMinute':5}")), 201)
        .get("Secret").asText();
    harness.store.addApiKeyUsage(List.of(new ApiKeyUsage("ci", 3, 0, 0, 0, null)));

    JsonNode rotated = json(call("POST", "/v1.0/apikeys/ci/rotate", null), 200);
    String fresh = rotated.get("Secret").asText();
    assertThat(fresh).matches(SECRET_PATTERN).isNotEqualTo(old);
    assertThat(rotated.get("KeyPrefix").asText()).isEqualTo(fresh.substring(0, ApiKey.PREFIX_LENGTH));
    assertThat(rotated.get("RequestsPerMinute").asInt()).as("settings are kept").isEqualTo(5);
    assertThat(rotated.get("Usage").get("Requests").asLong()).as("usage is kept").isEqualTo(3);
    ApiKey stored = harness.store.apiKey("ci").orElseThrow();
    assertThat(stored.matches(fresh)).isTrue();
    assertThat(stored.matches(old)).isFalse();
    try (Response read = call("GET", "/v1.0/apikeys/ci", null)) {
      assertThat(read.body().string()).doesNotContain(fresh);
    }

    assertError(call("POST", "/v1.0/apikeys/ghost/rotate", null), 404, "NotFound", "no API key with identifier 'ghost'");
  }

  @Test
  void headAndDeleteAnswerLikeTheOtherCollectionsAndDeleteDropsTheUsage() throws Exception {
    json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci'}")), 201);
    harness.store.addApiKeyUsage(List.of(new ApiKeyUsage("ci", 1, 0, 0, 0, null)));
    try (Response exists = call("HEAD", "/v1.0/apikeys/ci", null)) {
      assertThat(exists.code()).isEqualTo(200);
      assertThat(exists.body().string()).isEmpty();
    }

    try (Response deleted = call("DELETE", "/v1.0/apikeys/ci", null)) {
      assertThat(deleted.code()).isEqualTo(204);
      assertThat(deleted.body().string()).isEmpty();
    }
    assertThat(harness.store.apiKeys()).isEmpty();
    assertThat(harness.store.apiKeyUsage()).isEmpty();
    try (Response missing = call("HEAD", "/v1.0/apikeys/ci", null)) {
      assertThat(missing.code()).isEqualTo(404);
    }
    assertError(call("GET", "/v1.0/apikeys/ci", null), 404, "NotFound", "no API key with identifier 'ci'");
    assertError(call("DELETE", "/v1.0/apikeys/ci", null), 404, "NotFound", "no API key with identifier 'ci'");
  }

  static Stream<Arguments> invalidKeys() {
    return Stream.of(
        Arguments.of("/v1.0/apikeys", "", "the request body is empty (expected: an API key object)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9',", "the request body is not valid JSON"),
        Arguments.of("/v1.0/apikeys", "[]", "API key: expected a JSON object, got []"),
        Arguments.of("/v1.0/apikeys", "{'Name':'no id'}", "API key Identifier: missing"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'a/b'}", "Identifier: \"a/b\""),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','Quota':5}", "API key field \"Quota\" is not known"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','RequestsPerMinute':'ten'}",
            "RequestsPerMinute: \"ten\" (expected: an integer)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','RequestsPerMinute':-1}",
            "RequestsPerMinute: -1 (expected: 0-1000000000)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','TokensPerMinute':-5}", "TokensPerMinute: -5 (expected: >= 0)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','MaxConcurrentRequests':-1}",
            "MaxConcurrentRequests: -1 (expected: 0-1000000)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','Active':'yes'}", "Active: \"yes\" (expected: true or false)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','Frontends':'f1'}",
            "Frontends: \"f1\" (expected: an array of strings)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','Frontends':['f1','ghost','phantom']}",
            "Frontends: 'ghost', 'phantom' are not configured frontends"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','Models':[1]}", "Models: [1] (expected: an array of strings)"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','ExpiresUtc':'tomorrow'}",
            "ExpiresUtc: \"tomorrow\" (expected: an ISO-8601 UTC time"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','ExpiresUtc':'2020-01-01T00:00:00Z'}",
            "ExpiresUtc: \"2020-01-01T00:00:00.000000Z\" is not in the future"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','Secret':'ofk_chosen-by-the-client-0123'}",
            "Secret: cannot be set"),
        Arguments.of("/v1.0/apikeys", "{'Identifier':'k9','KeyHash':'00'}", "KeyHash: cannot be set"),
        Arguments.of("/v1.0/apikeys/k1", "{'Frontends':['ghost']}", "Frontends: 'ghost' is not a configured frontend"),
        Arguments.of("/v1.0/apikeys/k1", "{'Secret':'ofk_chosen-by-the-client-0123'}", "Secret: cannot be set"),
        Arguments.of("/v1.0/apikeys/k1", "{'RequestsPerMinute':1.5}", "RequestsPerMinute: 1.5 (expected: an integer)"),
        Arguments.of("/v1.0/frontends/f1", "{'RequireApiKey':'yes'}", "RequireApiKey: \"yes\" (expected: true or false)"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("invalidKeys")
  void invalidKeyIsRefusedWith400NamingTheFieldAndChangesNothing(String path, String body, String description)
      throws Exception {
    ApiKey k1 = ApiKey.builder("k1").secret("ofk_k1-0123456789abcdef").frontends(List.of("f1")).build();
    harness.store.putApiKey(k1);
    long revision = harness.store.revision();

    assertError(call("PUT", path, j(body)), 400, "BadRequest", description);

    assertThat(harness.store.revision()).as("nothing was stored").isEqualTo(revision);
    assertThat(harness.store.apiKeys()).containsExactly(k1);
  }

  @Test
  void creatingAnExistingKeyIs409AndKeepsTheStoredKey() throws Exception {
    String secret = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci','RequestsPerMinute':5}")), 201)
        .get("Secret").asText();
    long revision = harness.store.revision();

    assertError(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci','RequestsPerMinute':9}")), 409, "Conflict",
        "an API key with identifier 'ci' already exists");
    ApiKey stored = harness.store.apiKey("ci").orElseThrow();
    assertThat(stored.requestsPerMinute()).isEqualTo(5);
    assertThat(stored.matches(secret)).isTrue();
    assertThat(harness.store.revision()).isEqualTo(revision);
  }

  @Test
  void deletingAFrontendThatAKeyListsIs409NamingTheKey() throws Exception {
    json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci','Frontends':['f1']}")), 201);

    assertError(call("DELETE", "/v1.0/frontends/f1", null), 409, "Conflict",
        "frontend 'f1' is used by API key 'ci' (remove it from their Frontends first)");
    assertThat(harness.store.frontend("f1")).isPresent();
    try (Response deleted = call("DELETE", "/v1.0/frontends/f2", null)) {
      assertThat(deleted.code()).as("a frontend no key lists is deleted").isEqualTo(204);
    }
  }

  @Test
  void aFrontendsRequireApiKeyIsSetReadAndWrittenThroughTheApi() throws Exception {
    JsonNode created = json(call("PUT", "/v1.0/frontends", j("{'Identifier':'guarded','RequireApiKey':true}")), 201);
    assertThat(created.get("RequireApiKey").asBoolean()).isTrue();
    assertThat(harness.store.frontend("guarded").orElseThrow().requireApiKey()).isTrue();
    assertThat(json(call("GET", "/v1.0/frontends/f1", null), 200).get("RequireApiKey").asBoolean()).isFalse();
  }

  @Test
  void unknownKeyRoutesAre404AndWrongMethods405WithAllow() throws Exception {
    json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci'}")), 201);
    assertError(call("GET", "/v1.0/apikeys/ci/other", null), 404, "NotFound", "no admin route for GET /v1.0/apikeys/ci/other");
    assertError(call("GET", "/v1.0/apikeys/ci/usage/x", null), 404, "NotFound", "no admin route");
    for (String[] wrong : new String[][] {{"POST", "/v1.0/apikeys", "GET, PUT"},
        {"GET", "/v1.0/apikeys/ci/rotate", "POST"}, {"DELETE", "/v1.0/apikeys/ci/usage", "GET"},
        {"POST", "/v1.0/apikeys/ci", "GET, HEAD, PUT, DELETE"}}) {
      try (Response response = call(wrong[0], wrong[1], null)) {
        assertThat(response.code()).as("%s %s", wrong[0], wrong[1]).isEqualTo(405);
        assertThat(response.header("Allow")).isEqualTo(wrong[2]);
      }
    }
    assertThat(harness.store.apiKeys()).hasSize(1);
  }

  @Test
  void keyRoutesNeedTheAdminTokenAndChangeNothingWithoutIt() throws Exception {
    for (String[] request : new String[][] {{"GET", "/v1.0/apikeys"}, {"PUT", "/v1.0/apikeys"},
        {"POST", "/v1.0/apikeys/ci/rotate"}, {"DELETE", "/v1.0/apikeys/ci"}}) {
      okhttp3.RequestBody body = request[0].equals("GET") || request[0].equals("DELETE") ? null
          : okhttp3.RequestBody.create(j("{'Identifier':'ci'}"), ScenarioHarness.JSON);
      try (Response response = harness.call(new Request.Builder().url(harness.url(request[1]))
          .method(request[0], body).header("Authorization", "Bearer wrong-token"))) {
        assertThat(response.code()).as("%s %s", request[0], request[1]).isEqualTo(401);
      }
    }
    assertThat(harness.store.apiKeys()).isEmpty();
  }

  @Test
  void logLinesNameTheKeyButNeverItsSecret() throws Exception {
    String created;
    String rotated;
    try (CapturedLog log = new CapturedLog()) {
      created = json(call("PUT", "/v1.0/apikeys", j("{'Identifier':'ci'}")), 201).get("Secret").asText();
      rotated = json(call("POST", "/v1.0/apikeys/ci/rotate", null), 200).get("Secret").asText();
      String text = log.text();
      assertThat(text).contains("created API key 'ci'").contains("rotated the secret of API key 'ci'");
      assertThat(text).doesNotContain(created, rotated, ApiKey.hashOf(created), ApiKey.hashOf(rotated));
    }
  }
}
