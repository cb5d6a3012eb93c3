package io.kulp.patch;

/**
 * One replaced function.
 *
 * @param oldName the target library's function, for messages (it is found by offset)
 * @param newName the replacement, looked up in the container with dlsym
 * @param oldOffset the old function's st_value: its entry, from the library's load base
 */
public record FunctionPair(String oldName, String newName, long oldOffset) {
  public FunctionPair {
    java.util.Objects.requireNonNull(oldName);
    java.util.Objects.requireNonNull(newName);
  }
}
