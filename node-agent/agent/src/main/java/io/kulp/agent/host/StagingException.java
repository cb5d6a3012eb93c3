package io.kulp.agent.host;

/** A patch could not be staged into (or removed from) a container's filesystem. */
public final class StagingException extends Exception {
  public StagingException(String message) {
    super(message);
  }
}
