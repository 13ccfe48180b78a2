package io.ollamaflow.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ollamaflow.core.http.AccessControl;
import io.ollamaflow.core.http.HttpServerOptions;
import java.util.List;

/**
 * {@code Webserver.AccessControl}, as OllamaFlow names it: {@code Mode} ({@code DefaultPermit} or
 * {@code DefaultDeny}), {@code PermitList} and {@code DenyList} of IP addresses and CIDR ranges.
 * The deny list wins over the permit list ({@link AccessControl}).
 */
final class AccessControlSettings {
  private static final List<String> KEYS = List.of("Mode", "PermitList", "DenyList");

  private AccessControlSettings() {}

  /**
   * Sets {@code options}' access control from the section, or leaves every address permitted when there is none.
   *
   * @throws IllegalArgumentException naming the key and the entry that is wrong
   */
  static void apply(JsonNode section, HttpServerOptions.Builder options) {
    SettingsSection access = SettingsSection.of(section, "Webserver.AccessControl", KEYS);
    if (access == null) return;
    AccessControl.Builder b = AccessControl.builder();
    String mode = access.text("Mode", false);
    if (mode != null) {
      if (mode.equalsIgnoreCase("DefaultPermit")) {
        b.mode(AccessControl.Mode.DEFAULT_PERMIT);
      } else if (mode.equalsIgnoreCase("DefaultDeny")) {
        b.mode(AccessControl.Mode.DEFAULT_DENY);
      } else {
        throw new IllegalArgumentException(access.name("Mode") + ": \"" + mode + "\" (expected: DefaultPermit or DefaultDeny)");
      }
    }
    add(access, "PermitList", b::permit);
    add(access, "DenyList", b::deny);
    options.accessControl(b.build());
  }

  private static void add(SettingsSection access, String key, java.util.function.Consumer<String> list) {
    for (String entry : access.strings(key)) {
      try {
        list.accept(entry);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(access.name(key) + ": " + e.getMessage(), e);
      }
    }
  }
}
