package io.ollamaflow.core.internal;

import okhttp3.OkHttpClient;

/**
 * Refuses to start on OkHttp 4. OkHttp 4 ({@code com.squareup.okhttp3:okhttp}) and OkHttp 5
 * ({@code okhttp-jvm}) are different artifacts with the same classes, so an application that
 * also depends on OkHttp 4 can end up running core on whichever the class path lists first,
 * failing later and far from the cause. The version is read reflectively: OkHttp 4's
 * {@code VERSION} is a compile-time constant, which javac would copy into this class.
 */
public final class OkHttpVersionCheck {
  static final int REQUIRED_MAJOR = 5;
  private static final String UNKNOWN = "older than 4 (no okhttp3.OkHttp.VERSION)";

  private OkHttpVersionCheck() {}

  /** Throws {@link IllegalStateException} unless the OkHttp classes loaded are OkHttp 5 or later. */
  public static void requireSupportedOkHttp() {
    requireSupported(runtimeVersion());
  }

  static void requireSupported(String found) {
    if (major(found) < REQUIRED_MAJOR) {
      throw new IllegalStateException("ollamaflow-core needs OkHttp " + REQUIRED_MAJOR + ".x "
          + "(com.squareup.okhttp3:okhttp-jvm) but the class path provides OkHttp " + found
          + ": exclude com.squareup.okhttp3:okhttp " + found + " from the dependency that brings it, "
          + "or manage it to " + REQUIRED_MAJOR + ".x");
    }
  }

  static String runtimeVersion() {
    try {
      return (String) Class.forName("okhttp3.OkHttp", true, OkHttpClient.class.getClassLoader())
          .getField("VERSION").get(null);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return UNKNOWN;
    }
  }

  private static int major(String version) {
    int end = 0;
    while (end < version.length() && Character.isDigit(version.charAt(end))) end++;
    return end == 0 || end > 4 ? -1 : Integer.parseInt(version.substring(0, end));
  }
}
