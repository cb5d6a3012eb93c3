package io.kulp.operator.livepatch;

import java.util.LinkedHashMap;
import java.util.Map;

/** Labels kept compactly in the operator's caches: keys and values alternating, interned. */
final class Labels {

  private Labels() {}

  /** The labels as an array of keys and values; null for a null map. */
  static String[] flatten(Map<String, String> labels) {
    if (labels == null) {
      return null;
    }
    String[] flat = new String[labels.size() * 2];
    int i = 0;
    for (var e : labels.entrySet()) {
      flat[i++] = e.getKey().intern();
      flat[i++] = e.getValue() == null ? null : e.getValue().intern();
    }
    return flat;
  }

  /** The map {@link #flatten} was made from. */
  static Map<String, String> map(String[] flat) {
    if (flat == null) {
      return null;
    }
    Map<String, String> labels = new LinkedHashMap<>(flat.length);
    for (int i = 0; i < flat.length; i += 2) {
      labels.put(flat[i], flat[i + 1]);
    }
    return labels;
  }

  /** The index key of one label: {@code key=value} (a label key never contains '='). */
  static String pair(String key, String value) {
    return key + "=" + value;
  }
}
