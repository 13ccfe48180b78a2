package io.ollamaflow.examples.cluster;

import static io.ollamaflow.examples.cluster.PostgresInstances.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ollamaflow.api.ApiKeyUsage;
import io.ollamaflow.api.LiveState.WindowCount;
import io.ollamaflow.examples.cluster.PostgresInstances.Answer;
import io.ollamaflow.examples.cluster.PostgresInstances.Instance;
import io.ollamaflow.examples.sim.MovableClock;
import io.ollamaflow.postgres.PostgresConfigStore;
import io.ollamaflow.postgres.TestPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API keys on three instances sharing one real PostgreSQL, end to end: each instance a FlowCluster
 * with its own PostgresConfigStore and PostgresLiveState, served by its own FlowHttpServer on
 * loopback, over simulated Ollamas; frontend "main" has RequireApiKey; keys are created through
 * instance 0's admin API. Shown: a key created on one instance is honoured by the other two; a
 * RequestsPerMinute of N admits exactly N across all three, sequential round-robin or six
 * concurrent clients (the slack is 0: each request's addition is one atomic upsert in the shared
 * window); a TokensPerMinute of T admits exactly the requests that start below T when each
 * request's tokens are counted before the next starts (requests in flight at once are not yet
 * counted: that is the slack, on one instance too); usage made through the three adds up in the
 * store; with the database stopped each instance counts alone (N per instance), and after it
 * returns the limit is shared again.
 *
 * <p>Every instance runs on one {@link MovableClock}, so a minute never rolls over mid-test; a
 * test moves it a whole minute to start a fresh window. It stands an hour ahead of the database's
 * clock so the live state's sweep (windows that ended over a minute ago by the database's clock)
 * never removes a window under test. Runs on a PostgreSQL server of its own, which one test stops.
 *
 * <p>Each live-state call is allowed {@link #PATIENT} rather than the default 200 ms: a call slower
 * than its timeout is decided on the instance's own memory (by design), and on this shared 2-core
 * machine one such call in a concurrent burst once let a second instance admit its own 10. The
 * exactness shown is the shared state's, so each test checks that no decision fell back while the
 * database was up. A stopped server refuses at once, so the outage test is not slowed by it.
 */
class ApiKeyLimitsAcrossInstancesScenarioTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Live-state timeout while the database is up: long enough that load on this machine never reaches it. */
  private static final Duration PATIENT = Duration.ofSeconds(5);
  private static TestPostgres pg;

  private final MovableClock clock =
      new MovableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofHours(1)).plusSeconds(5));
  private String db;
  private PostgresInstances cluster;

  @BeforeAll
  static void startOwnServer() {
    pg = TestPostgres.startSeparate();
  }

  @AfterAll
  static void stopOwnServer() throws Exception {
    pg.stopServer();
  }

  private void startThreeInstances(Duration liveStateTimeout) throws Exception {
    db = pg.newDatabase();
    cluster = PostgresInstances.start(pg, db, 2, 3, clock, main -> main.requireApiKey(true), liveStateTimeout);
  }

  /** Every decision so far was the shared state's: none fell back to an instance's own memory. */
  private void assertNoneFellBack() {
    for (Instance instance : cluster.instances) {
      assertThat(instance.cluster().admin().liveStateFallbacks()).as("fallbacks on port %d", instance.port()).isZero();
    }
  }

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void aKeyCreatedThroughOneInstanceIsHonouredByTheOtherTwo() throws Exception {
    startThreeInstances(PATIENT);
    long created = System.nanoTime();
    String secret = createKey("{\"Identifier\":\"team-a\"}");
    for (Instance other : List.of(cluster.get(1), cluster.get(2))) {
      List<Integer> statuses = new ArrayList<>();
      Answer accepted = eventually(() -> cluster.generateWithKey(other, secret), a -> {
        statuses.add(a.status());
        return a.status() == 200;
      });
      assertThat(accepted.backend()).isNotNull();
      assertThat(statuses.subList(0, statuses.size() - 1)).as("before the key arrived: refused as unknown")
          .allMatch(status -> status == 401);
      System.out.printf("Key created on instance 0 honoured by the instance on port %d after %d ms (%d tries)%n",
          other.port(), (System.nanoTime() - created) / 1_000_000, statuses.size());
    }
    assertThat(cluster.generateWithKey(cluster.get(1), "not-" + secret).status()).isEqualTo(401);
  }

  /**
   * RequestsPerMinute 10 on three instances: sequential round-robin then six concurrent clients,
   * each in a fresh minute: exactly 10 admitted each time (slack 0), the rest 429 with
   * {@code Retry-After} up to the next minute. Then the usage of every request through the three
   * instances adds up in the store once they have closed (each flushes what it counted).
   */
  @Test
  void aRequestsPerMinuteLimitAdmitsExactlyNAcrossThreeInstancesAndUsageAddsUp() throws Exception {
    int limit = 10;
    startThreeInstances(PATIENT);
    String secret = createKey("{\"Identifier\":\"team-a\",\"RequestsPerMinute\":" + limit + "}");
    int probes = awaitKnownEverywhere(secret).size();

    clock.advance(MINUTE);
    List<Answer> roundRobin = new ArrayList<>();
    for (int i = 0; i < 3 * limit; i++) roundRobin.add(cluster.generateWithKey(cluster.get(i % 3), secret));
    assertThat(roundRobin.subList(0, limit)).extracting(Answer::status).containsOnly(200);
    assertThat(roundRobin.subList(limit, 3 * limit)).allSatisfy(refused -> {
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.retryAfter()).as("seconds to the next minute").isEqualTo("55");
      assertThat(refused.body()).contains("API key 'team-a' reached its RequestsPerMinute of " + limit);
    });

    clock.advance(MINUTE);
    Map<Integer, AtomicInteger> admittedBy = new TreeMap<>();
    for (int i = 0; i < 3; i++) admittedBy.put(i, new AtomicInteger());
    AtomicInteger refused = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int at = t % 3;
        done.add(clients.submit(() -> {
          for (int i = 0; i < 10; i++) {
            Answer answer = cluster.generateWithKey(cluster.get(at), secret);
            if (answer.status() == 200) {
              admittedBy.get(at).incrementAndGet();
            } else {
              assertThat(answer.status()).as(answer.body()).isEqualTo(429);
              assertThat(answer.retryAfter()).isEqualTo("55");
              refused.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
    } finally {
      clients.shutdownNow();
    }
    System.out.println("60 concurrent requests, limit " + limit + ", admitted per instance: " + admittedBy);
    assertNoneFellBack();
    assertThat(admittedBy.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(limit);
    assertThat(refused.get()).isEqualTo(60 - limit);
    assertThat(sharedWindow("apikey:team-a:requests")).as("every request counted once").isEqualTo(60);

    int admitted = probes + 2 * limit;
    int refusals = 2 * limit + (60 - limit);
    for (Instance instance : List.copyOf(cluster.instances)) cluster.stop(instance);
    try (PostgresConfigStore store = pg.store(db).build()) {
      ApiKeyUsage usage = store.apiKeyUsage().stream().filter(u -> u.identifier().equals("team-a")).findFirst()
          .orElseThrow();
      assertThat(usage.requests()).isEqualTo(admitted);
      assertThat(usage.refusals()).isEqualTo(refusals);
      long promptPerRequest = JSON.readTree(roundRobin.get(0).body()).get("prompt_eval_count").asLong();
      long completionPerRequest = JSON.readTree(roundRobin.get(0).body()).get("eval_count").asLong();
      assertThat(promptPerRequest).isPositive();
      assertThat(usage.promptTokens()).isEqualTo(admitted * promptPerRequest);
      assertThat(usage.completionTokens()).isEqualTo(admitted * completionPerRequest);
    }
  }

  /**
   * TokensPerMinute T across three instances, round-robin, the tokens of each answer (what the
   * backend reported) in the shared window before the next request: a request is admitted while
   * the window holds less than T, so exactly ceil(T / tokens per request) are admitted in all.
   */
  @Test
  void aTokensPerMinuteLimitCountsTheTokensOfAllThreeInstances() throws Exception {
    long limit = 100;
    startThreeInstances(PATIENT);
    String secret = createKey("{\"Identifier\":\"team-t\",\"TokensPerMinute\":" + limit + "}");
    long probeTokens = 0;
    for (Answer probe : awaitKnownEverywhere(secret)) probeTokens += tokensOf(probe);
    // A request's tokens count in the minute it ends in, just after its client has the answer:
    // the probes' must be in before the clock moves, or the last would land in the next minute.
    long inFirstMinute = probeTokens;
    eventually(() -> sharedWindow("apikey:team-t:tokens"), total -> total == inFirstMinute);

    clock.advance(MINUTE);
    long perRequest = 0;
    int admitted = 0;
    Answer last;
    int i = 0;
    while (true) {
      last = cluster.generateWithKey(cluster.get(i++ % 3), secret);
      if (last.status() != 200) break;
      perRequest = tokensOf(last);
      admitted++;
      long expected = admitted * perRequest;
      // The tokens are added as the request ends, just after the client has its answer.
      eventually(() -> sharedWindow("apikey:team-t:tokens"), total -> total == expected);
      assertThat(admitted).as("runaway").isLessThan(1000);
    }
    assertNoneFellBack();
    System.out.printf("TokensPerMinute %d, %d tokens a request: %d admitted over three instances%n", limit, perRequest,
        admitted);
    assertThat(perRequest).isPositive();
    assertThat(last.status()).isEqualTo(429);
    assertThat(last.retryAfter()).isEqualTo("55");
    assertThat(last.body()).contains("its TokensPerMinute is " + limit);
    assertThat(admitted).as("%d tokens a request", perRequest).isEqualTo((int) ((limit + perRequest - 1) / perRequest));
    assertThat(admitted).as("spread over more than one instance").isGreaterThan(1);
  }

  /**
   * RequestsPerMinute 5 with the PostgreSQL server stopped: each instance counts on its own
   * memory, so each admits 5 (15 in all); once the server is back and every instance decides on
   * the shared state again, the three admit 5 in all.
   */
  @Test
  void withTheDatabaseDownEachInstanceAdmitsNAndTheLimitIsSharedAgainWhenItReturns() throws Exception {
    int limit = 5;
    startThreeInstances(PATIENT);
    String secret = createKey("{\"Identifier\":\"team-a\",\"RequestsPerMinute\":" + limit + "}");
    String probe = createKey("{\"Identifier\":\"probe\"}");
    awaitKnownEverywhere(secret);
    awaitKnownEverywhere(probe);

    clock.advance(MINUTE);
    pg.stopServer();
    try {
      for (Instance instance : cluster.instances) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < limit + 2; i++) statuses.add(cluster.generateWithKey(instance, secret).status());
        assertThat(statuses.subList(0, limit)).as("port %d", instance.port()).containsOnly(200);
        assertThat(statuses.subList(limit, limit + 2)).as("port %d", instance.port()).containsOnly(429);
        assertThat(instance.cluster().admin().liveStateFallbacks()).isPositive();
      }
    } finally {
      pg.startServer();
    }

    // Each instance tries the database again at most a second after its last failure; a request
    // none of whose decisions fell back shows it is deciding on the shared state again.
    AtomicInteger conversation = new AtomicInteger();
    for (Instance instance : cluster.instances) {
      eventually(() -> {
        long before = instance.cluster().admin().liveStateFallbacks();
        Answer answer = cluster.generateWithKey(instance, probe, "probe-" + conversation.incrementAndGet());
        return answer.status() == 200 && instance.cluster().admin().liveStateFallbacks() == before;
      }, shared -> shared);
    }

    clock.advance(MINUTE);
    List<Long> fallbacksBefore = cluster.instances.stream().map(i -> i.cluster().admin().liveStateFallbacks()).toList();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 3 * limit; i++) statuses.add(cluster.generateWithKey(cluster.get(i % 3), secret).status());
    assertThat(cluster.instances.stream().map(i -> i.cluster().admin().liveStateFallbacks()).toList())
        .as("decided on the shared state").isEqualTo(fallbacksBefore);
    assertThat(statuses.subList(0, limit)).containsOnly(200);
    assertThat(statuses.subList(limit, 3 * limit)).containsOnly(429);
  }

  /** Creates a key through instance 0's admin API; returns its secret. */
  private String createKey(String json) throws Exception {
    HttpResponse<String> created = cluster.admin(cluster.get(0), "PUT", "/v1.0/apikeys", json);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("Secret").asText();
  }

  /**
   * Waits until every instance admits the key (one admitted request each, in the current minute);
   * returns the admitted answers.
   */
  private List<Answer> awaitKnownEverywhere(String secret) throws Exception {
    List<Answer> admitted = new ArrayList<>();
    for (Instance instance : cluster.instances) {
      admitted.add(eventually(() -> cluster.generateWithKey(instance, secret), a -> a.status() == 200));
    }
    return admitted;
  }

  /** Prompt plus generated tokens the backend reported in this answer. */
  private static long tokensOf(Answer answer) throws Exception {
    JsonNode body = JSON.readTree(answer.body());
    return body.get("prompt_eval_count").asLong() + body.get("eval_count").asLong();
  }

  /** The shared window's total of {@code counter} in the clock's current minute, read through instance 0. */
  private long sharedWindow(String counter) {
    Instant start = WindowCount.windowStart(clock.instant(), MINUTE);
    return cluster.get(0).live().addToWindow(new WindowCount(counter, start, MINUTE, 0));
  }
}
