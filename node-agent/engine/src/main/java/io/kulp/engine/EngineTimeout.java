package io.kulp.engine;

/** A step did not finish before the operation's deadline. */
final class EngineTimeout extends Exception {
  EngineTimeout(String message) {
    super(message);
  }
}
