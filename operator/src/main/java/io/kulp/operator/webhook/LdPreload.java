package io.kulp.operator.webhook;

import java.util.Arrays;

/** How the runtime joins a container's own {@code LD_PRELOAD}: appended, never replacing it. */
final class LdPreload {

  private LdPreload() {}

  /**
   * {@code existing} (the container's value; null or blank: none) with {@code runtime} appended
   * after a ':' (the loader also accepts spaces; both are kept as they were). Unchanged if it
   * already names {@code runtime}.
   */
  static String withRuntime(String existing, String runtime) {
    if (existing == null || existing.isBlank()) {
      return runtime;
    }
    if (Arrays.asList(existing.split("[: ]")).contains(runtime)) {
      return existing;
    }
    return existing + ":" + runtime;
  }
}
