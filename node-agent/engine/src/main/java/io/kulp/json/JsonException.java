package io.kulp.json;

/** Text that is not the JSON expected, with the position of the problem. */
public class JsonException extends Exception {
  private static final long serialVersionUID = 1L;

  public JsonException(String message) {
    super(message);
  }
}
