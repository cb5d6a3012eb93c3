package io.kulp.agent.patch;

/** A patch the agent will not use: its bytes cannot be had, do not match sha256, or do not fit the spec. */
public final class PatchRefused extends Exception {
  private final String reason;

  /**
   * @param reason a short metric label: {@code fetch}, {@code sha256} or {@code metadata}
   * @param message what is wrong and what to do
   */
  public PatchRefused(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
