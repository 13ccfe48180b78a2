package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OllamaFlow's {@code Webserver.Ssl} and {@code Webserver.AccessControl} in a build that does not
 * implement them: their defaults (TLS off, every address permitted), as OllamaFlow writes them in
 * a new file, are accepted; anything that would turn them on is refused by name, since serving
 * plain HTTP to everyone when the file asks for TLS or an address filter would drop a security
 * setting silently. The readers that implement them replace this class.
 */
final class UnreadSecuritySettings {
  private static final SettingsKeys SSL_KEYS = SettingsKeys.of("Enable", "PfxCertificateFile", "PfxCertificatePassword",
      "MutuallyAuthenticate", "AcceptInvalidAcertificates");
  private static final SettingsKeys ACCESS_CONTROL_KEYS = SettingsKeys.of("Mode", "DenyList", "PermitList");
  private static final String UNSUPPORTED = "not supported by this build";

  private UnreadSecuritySettings() {}

  /** @throws IllegalArgumentException naming the first key that asks for TLS or address filtering */
  static void refuseWhatIsOn(JsonNode webserver) {
    JsonNode ssl = ServerSettings.field(webserver, "Ssl");
    if (ssl != null) {
      SSL_KEYS.check(ssl, "Webserver.Ssl");
      JsonNode enable = ServerSettings.field(ssl, "Enable");
      if (enable != null && !enable.isBoolean()) {
        throw new IllegalArgumentException("Webserver.Ssl.Enable: " + enable + " (expected: true or false)");
      }
      if (enable != null && enable.booleanValue()) {
        throw new IllegalArgumentException("Webserver.Ssl.Enable: true is " + UNSUPPORTED
            + " (no TLS listener); put a TLS terminator in front and set it to false");
      }
    }
    JsonNode access = ServerSettings.field(webserver, "AccessControl");
    if (access != null) {
      ACCESS_CONTROL_KEYS.check(access, "Webserver.AccessControl");
      JsonNode mode = ServerSettings.field(access, "Mode");
      if (mode != null && !(mode.isTextual() && mode.textValue().equalsIgnoreCase("DefaultPermit"))) {
        throw new IllegalArgumentException("Webserver.AccessControl.Mode: " + mode + " is " + UNSUPPORTED
            + " (no address filtering; only DefaultPermit with empty lists is accepted)");
      }
      for (String list : new String[] {"DenyList", "PermitList"}) {
        JsonNode entries = ServerSettings.field(access, list);
        if (entries != null && !((entries.isObject() || entries.isArray()) && entries.isEmpty())) {
          throw new IllegalArgumentException("Webserver.AccessControl." + list + ": entries are " + UNSUPPORTED
              + " (no address filtering; only DefaultPermit with empty lists is accepted)");
        }
      }
    }
  }
}
