package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them) driven by Selenium against the demo
 * server. Screenshots of the main views go to {@code target/dashboard-screenshots/}.
 */
class DashboardBrowserTest {
  private static final String TOKEN = "dashboard-test-token";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir
  Path dir;
  private Path profile;
  private OllamaFlowServer server;
  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    assertThat(CHROMIUM).as("headless Chromium is needed: apt-get install chromium chromium-driver").exists();
    assertThat(CHROMEDRIVER).as("chromedriver is needed: apt-get install chromium-driver").exists();
    server = DemoServer.start(dir, ",\"AdminBearerTokens\":[\"" + TOKEN + "\"]");
    profile = Files.createDirectories(dir.resolve("chromium-profile"));
    ChromeOptions chrome = new ChromeOptions();
    chrome.setBinary(CHROMIUM.toFile());
    chrome.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1400,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, chrome);
    // The tables are redrawn on every refresh: a row found a moment ago may have been replaced.
    wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    wait.ignoring(StaleElementReferenceException.class);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterEach
  void stop() {
    if (browser != null) browser.quit();
    if (server != null) server.close();
  }

  private String base() {
    return "http://127.0.0.1:" + server.port();
  }

  private void signIn(String token) {
    browser.get(base() + "/dashboard/");
    WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    field.sendKeys(token);
    browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
  }

  private WebElement backendRow(String id) {
    return wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-backend='" + id + "']")));
  }

  private void screenshot(String name) throws Exception {
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  private String generate() throws Exception {
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/generate"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.headers().firstValue("X-OllamaFlow-Backend").orElseThrow();
  }

  /** The requests of the last five minutes the dashboard shows for the backend, read from the current table. */
  private int requestsShown(String backend) {
    backendRow(backend);
    Object shown = browser.executeScript("return document.querySelector(\"tr[data-backend='\" + arguments[0]"
        + " + \"'] td.traffic\").dataset.requests;", backend);
    return Integer.parseInt(String.valueOf(shown));
  }

  private String rowText(String backend) {
    return text("tr[data-backend='" + backend + "']");
  }

  /** The text of the element as the page shows it now; waits for it to exist. */
  private String text(String selector) {
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(selector)));
    return String.valueOf(browser.executeScript("return document.querySelector(arguments[0]).innerText;", selector));
  }

  /** Clicks a button of the backend's row as the table is now. */
  private void clickInRow(String backend, String action) {
    wait.until(d -> {
      backendRow(backend).findElement(By.cssSelector("button[data-action=" + action + "]")).click();
      return true;
    });
  }

  @Test
  void wrongTokenIsRefusedWithAMessageNamingTheSetting() throws Exception {
    signIn("not-the-token");

    WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
    wait.until(ExpectedConditions.textToBePresentInElement(error, "not accepted"));
    assertThat(error.getText()).contains("401").contains("AdminBearerTokens");
    assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    assertThat(browser.getPageSource()).doesNotContain("not-the-token");
    screenshot("wrong-token");
  }

  @Test
  void signedInTheDashboardShowsTheBackendsTheirModelsAndTraffic() throws Exception {
    // The demo frontend is model-affinity: the backend that loaded the model serves the requests for it.
    String served = generate();
    for (int i = 0; i < 2; i++) assertThat(generate()).isEqualTo(served);
    signIn(TOKEN);

    // The first probes need a few seconds (HealthCheckInterval, HealthyThreshold) to call a backend healthy.
    WebDriverWait probes = new WebDriverWait(browser, Duration.ofSeconds(40));
    probes.ignoring(StaleElementReferenceException.class);
    for (String id : List.of("demo-1", "demo-2", "demo-3")) {
      wait.until(d -> rowText(id).contains("llama3.2:latest"));
      int expected = id.equals(served) ? 3 : 0;
      wait.until(d -> requestsShown(id) == expected);
      probes.until(d -> rowText(id).contains("Healthy") && rowText(id).contains("since"));
    }
    assertThat(text("tr[data-backend='" + served + "'] .model.loaded")).isEqualTo("llama3.2:latest");
    assertThat(rowText("demo-2")).contains("qwen2.5:7b");
    assertThat(rowText("demo-1")).contains("nomic-embed-text:latest").doesNotContain("qwen2.5");
    assertThat(text("tr[data-frontend='demo']")).contains("demo-vllm");
    // The token the user typed is never shown back.
    assertThat(browser.getPageSource()).doesNotContain(TOKEN);
    screenshot("cluster");
  }

  @Test
  void drainingABackendFromTheDashboardMovesTrafficAwayFromIt() throws Exception {
    String served = generate();
    for (int i = 0; i < 2; i++) assertThat(generate()).isEqualTo(served);
    signIn(TOKEN);
    wait.until(d -> requestsShown(served) == 3);
    clickInRow(served, "drain");
    wait.until(d -> rowText(served).contains("drained"));

    String next = generate();
    assertThat(next).isNotEqualTo(served);
    for (int i = 0; i < 2; i++) assertThat(generate()).isEqualTo(next);

    wait.until(d -> requestsShown(next) == 3);
    assertThat(requestsShown(served)).as("no request since the drain").isEqualTo(3);
    screenshot("drained");

    clickInRow(served, "activate");
    wait.until(d -> !rowText(served).contains("drained"));
  }

  @Test
  void creatingABackendShowsTheApiValidationNextToTheFieldThenDeletingRemovesIt() throws Exception {
    signIn(TOKEN);
    backendRow("demo-1");
    browser.findElement(By.id("add-backend")).click();
    WebElement identifier = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("field-Identifier")));
    identifier.sendKeys("gpu-9");
    WebElement hostname = browser.findElement(By.id("field-Hostname"));
    hostname.clear();
    hostname.sendKeys("127.0.0.1");
    WebElement port = browser.findElement(By.id("field-Port"));
    port.clear();
    port.sendKeys("70000");
    browser.findElement(By.id("editor-save")).click();

    WebElement portError = browser.findElement(By.cssSelector(".field-error[data-for=Port]"));
    wait.until(ExpectedConditions.textToBePresentInElement(portError, "Port"));
    assertThat(portError.getText()).contains("70000");
    assertThat(port.getAttribute("class")).contains("invalid");
    screenshot("validation");
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base() + "/v1.0/backends/gpu-9"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("an invalid backend is not stored").isEqualTo(404);

    port.clear();
    port.sendKeys("11999");
    browser.findElement(By.id("editor-save")).click();
    wait.until(d -> rowText("gpu-9").contains("127.0.0.1:11999"));

    clickInRow("gpu-9", "deleteBackend");
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-backend='gpu-9']"), 0));
  }

  @Test
  void editingAFrontendTurnsStickySessionsOnAndClearingEndsThem() throws Exception {
    signIn(TOKEN);
    String frontend = "tr[data-frontend='demo']";
    wait.until(d -> text(frontend).contains("off"));
    wait.until(d -> {
      browser.findElement(By.cssSelector(frontend + " button[data-action=editFrontend]")).click();
      return true;
    });
    WebElement sticky = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("field-UseStickySessions")));
    sticky.click();
    browser.findElement(By.id("editor-save")).click();
    wait.until(d -> text(frontend).contains("0 active"));

    HttpRequest chat = HttpRequest.newBuilder(URI.create(base() + "/api/generate"))
        .header("x-conversation-id", "conversation-1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.2\",\"prompt\":\"hi\",\"stream\":false}"))
        .build();
    assertThat(http.send(chat, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-OllamaFlow-Sticky"))
        .contains("False");
    assertThat(http.send(chat, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-OllamaFlow-Sticky"))
        .contains("True");
    wait.until(d -> text(frontend).contains("1 active"));
    screenshot("sticky-sessions");

    browser.findElement(By.cssSelector(frontend + " button[data-action=clearSessions]")).click();
    wait.until(d -> text(frontend).contains("0 active"));
    assertThat(http.send(chat, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-OllamaFlow-Sticky"))
        .as("after the sessions were cleared, the next request is balanced afresh").contains("False");
  }

  @Test
  void creatingAnApiKeyShowsItsSecretOnceThenOnlyItsPrefix() throws Exception {
    signIn(TOKEN);
    backendRow("demo-1");
    browser.findElement(By.id("add-apikey")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("field-Identifier"))).sendKeys("ci");
    browser.findElement(By.id("field-Frontends")).sendKeys("demo");
    WebElement perMinute = browser.findElement(By.id("field-RequestsPerMinute"));
    perMinute.sendKeys("-5");
    browser.findElement(By.id("editor-save")).click();

    // The API's refusal is shown next to the field, and nothing is stored.
    WebElement error = browser.findElement(By.cssSelector(".field-error[data-for=RequestsPerMinute]"));
    wait.until(ExpectedConditions.textToBePresentInElement(error, "RequestsPerMinute"));
    assertThat(error.getText()).contains("-5");
    assertThat(adminGet("/v1.0/apikeys/ci").statusCode()).isEqualTo(404);

    perMinute.clear();
    perMinute.sendKeys("60");
    browser.findElement(By.id("editor-save")).click();
    WebElement secretField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-value")));
    String secret = secretField.getAttribute("value");
    assertThat(secret).matches("ofk_[A-Za-z0-9_-]{43}");
    String prefix = secret.substring(0, 12);
    wait.until(d -> apiKeyRowText("ci").contains(prefix) && apiKeyRowText("ci").contains("60 req/min"));
    screenshot("apikey-created");

    browser.findElement(By.id("secret-done")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("secret-dialog")));
    assertThat(browser.executeScript("return document.getElementById('secret-value').value;")).isEqualTo("");
    assertThat(browser.getPageSource()).doesNotContain(secret);
    HttpResponse<String> stored = adminGet("/v1.0/apikeys/ci");
    assertThat(stored.body()).contains("\"KeyPrefix\": \"" + prefix + "\"").doesNotContain(secret);

    // After a reload the key is listed by its prefix; the secret is gone for good.
    browser.navigate().refresh();
    wait.until(d -> apiKeyRowText("ci").contains(prefix));
    assertThat(browser.getPageSource()).doesNotContain(secret);

    clickInApiKeyRow("ci", "deactivateKey");
    wait.until(d -> apiKeyRowText("ci").contains("inactive"));
    assertThat(adminGet("/v1.0/apikeys/ci").body()).contains("\"Active\": false");

    clickInApiKeyRow("ci", "deleteApiKey");
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-apikey='ci']"), 0));
    assertThat(adminGet("/v1.0/apikeys/ci").statusCode()).isEqualTo(404);
  }

  private HttpResponse<String> adminGet(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String apiKeyRowText(String id) {
    return text("tr[data-apikey='" + id + "']");
  }

  private void clickInApiKeyRow(String id, String action) {
    wait.until(d -> {
      d.findElement(By.cssSelector("tr[data-apikey='" + id + "'] button[data-action=" + action + "]")).click();
      return true;
    });
  }

  @Test
  void aServerThatIsGoneIsReportedAndTheLastFiguresStay() throws Exception {
    signIn(TOKEN);
    backendRow("demo-1");
    server.close();
    server = null;

    WebElement banner = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("banner")));
    wait.until(ExpectedConditions.textToBePresentInElement(banner, "Cannot reach OllamaFlow"));
    assertThat(browser.findElements(By.cssSelector("tr[data-backend]"))).isNotEmpty();
    screenshot("server-gone");
  }
}
