package io.kulp.agent.host;

/** A staging directory the agent will not use in this container; the message says why. */
final class UnusableDirectory extends Exception {
  UnusableDirectory(String message) {
    super(message);
  }
}
