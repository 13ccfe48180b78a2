package io.ollamaflow.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ollamaflow.core.http.AccessControl;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** No key of {@code ollamaflow.json} is dropped silently: unknown keys and unread security settings stop the server. */
class StrictSettingsTest {
  @TempDir
  Path dir;

  @Test
  void ollamaFlowsOwnDefaultFileIsAcceptedWithItsSettingsRead() throws Exception {
    Path file = dir.resolve("ollamaflow.json");
    try (InputStream in = getClass().getResourceAsStream("/settings/ollamaflow-default.json")) {
      Files.copy(in, file);
    }
    ServerSettings settings = ServerSettings.load(file);
    assertThat(settings.hostname).isEqualTo("localhost");
    assertThat(settings.port).isEqualTo(43411);
    assertThat(settings.adminBearerTokens).containsExactly("ollamaflowadmin");
    assertThat(settings.stickyHeaders).containsExactly("x-conversation-id", "x-thread-id");
    assertThat(settings.logging.servers()).containsExactly(new LoggingSettings.SyslogServer("127.0.0.1", 514));
    assertThat(settings.logging.minimumSeverity()).isZero();
    assertThat(settings.httpOptions.readTimeout().toMillis()).isEqualTo(10_000);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"Colour":1}                                                         | Colour
      {"Webserver":{"Port":0,"Colour":1}}                                  | Webserver.Colour
      {"Webserver":{"IO":{"Colour":1}}}                                    | Webserver.IO.Colour
      {"Webserver":{"Ssl":{"Enable":false,"Colour":1}}}                    | Webserver.Ssl.Colour
      {"Webserver":{"AccessControl":{"Colour":1}}}                         | Webserver.AccessControl.Colour
      {"Webserver":{"Headers":{"Colour":1}}}                               | Webserver.Headers.Colour
      {"Webserver":{"Headers":{"DefaultHeaders":{"X-Frame-Options":"DENY"}}}} | Webserver.Headers.DefaultHeaders.X-Frame-Options
      {"Webserver":{"Debug":{"Colour":true}}}                              | Webserver.Debug.Colour
      {"Logging":{"Colour":true}}                                          | Logging.Colour
      {"Logging":{"Servers":[{"Hostname":"h","Port":514,"Colour":1}]}}     | Logging.Servers[0].Colour
      {"Database":{"Type":"Sqlite","Colour":1}}                            | Database.Colour
      {"StickySessionLimits":{"Colour":1}}                                 | StickySessionLimits.Colour
      """)
  void anUnknownKeyInAnySectionIsRefusedByItsFullPath(String json, String path) throws Exception {
    assertThatThrownBy(() -> load(json)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(path + ": not a setting this server honours (known: ");
  }

  @Test
  void aNearMissOfAKnownKeyIsRefusedWithTheKeyItProbablyMeant() {
    assertThatThrownBy(() -> load("{\"Webserver\":{\"Hostnme\":\"localhost\"}}"))
        .hasMessageStartingWith("Webserver.Hostnme: not a setting this server honours (did you mean Hostname? known: ");
    assertThatThrownBy(() -> load("{\"AdminBearerToken\":[\"t\"]}"))
        .hasMessageStartingWith("AdminBearerToken: not a setting this server honours (did you mean AdminBearerTokens? ");
    assertThatThrownBy(() -> load("{\"Webserver\":{\"IO\":{\"Tls\":1}}}")).message().doesNotContain("did you mean");
  }

  @Test
  void keysMatchIgnoringCaseAsOllamaFlowReadsThem() throws Exception {
    ServerSettings settings = load("{\"webserver\":{\"PORT\":0,\"ssl\":{\"enable\":false},\"io\":{\"readtimeoutms\":500}},"
        + "\"LOGGING\":{\"minimumseverity\":7}}");
    assertThat(settings.port).isZero();
    assertThat(settings.httpOptions.readTimeout().toMillis()).isEqualTo(500);
    assertThat(settings.logging.minimumSeverity()).isEqualTo(7);
  }

  @Test
  void accessControlListsAreReadInOllamaFlowsObjectFormTooKeyedByEntry() throws Exception {
    AccessControl access = load("{\"Webserver\":{\"AccessControl\":{\"Mode\":\"DefaultDeny\",\"PermitList\":"
        + "{\"127.0.0.1\":\"me\"},\"DenyList\":{}}}}").httpOptions.accessControl();
    assertThat(access.permitList()).containsExactly("127.0.0.1/32");
    assertThat(access.denyList()).isEmpty();
    assertThat(access.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(access.permits(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThatThrownBy(() -> load("{\"Webserver\":{\"AccessControl\":{\"DenyList\":{\"not-an-address\":\"note\"}}}}"))
        .hasMessageStartingWith("Webserver.AccessControl.DenyList: \"not-an-address\"");
  }

  @Test
  void randomizedSyslogPortsAreRefusedAndTheirDefaultsAccepted() throws Exception {
    assertThatThrownBy(() -> load("{\"Logging\":{\"Servers\":[{\"Hostname\":\"h\",\"Port\":514,\"RandomizePorts\":true}]}}"))
        .hasMessageStartingWith("Logging.Servers[0].RandomizePorts: true is not supported");
    assertThat(load("{\"Logging\":{\"Servers\":[{\"Hostname\":\"h\",\"Port\":514,\"RandomizePorts\":false,"
        + "\"MinimumPort\":65000,\"MaximumPort\":65535}]}}").logging.servers())
        .isEqualTo(List.of(new LoggingSettings.SyslogServer("h", 514)));
  }

  @Test
  void serverExitsWith2NamingAMisspeltTlsKeyAndTheKeyItMeant() throws Exception {
    Path config = dir.resolve("ollamaflow.json");
    Files.writeString(config, "{\"Webserver\":{\"Hostname\":\"127.0.0.1\",\"Port\":0,"
        + "\"Ssl\":{\"Enabled\":true,\"PfxCertificateFile\":\"x.pfx\"}},"
        + "\"DatabaseFilename\":\"" + dir.resolve("flow.db") + "\"}");
    ServerProcess.Exit exit = ServerProcess.run(config);
    assertThat(exit.status()).as(exit.output()).isEqualTo(2);
    assertThat(exit.output())
        .contains("ollamaflow: Webserver.Ssl.Enabled: not a setting this server honours (did you mean Enable? known: ")
        .doesNotContain("listening");
    assertThat(dir.resolve("flow.db")).as("nothing was created").doesNotExist();
  }

  private ServerSettings load(String json) throws Exception {
    return SettingsFile.load(dir, json);
  }
}
