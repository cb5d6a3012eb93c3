package io.kulp.agent.host;

import java.nio.file.Path;
import java.util.List;

/**
 * Writes and removes files inside a target process's own filesystem (its mount namespace, reached
 * through {@code /proc/PID/root}), so that the process can dlopen them by a path of its own.
 */
public interface ContainerFiles {

  /**
   * Copies the agent's file {@code source}, which must have digest {@code sha256}, as {@code name}
   * into the first of {@code dirs} (paths as the process sees them) that is on a writable mount
   * allowing exec and that no user of the container but root can change, creating the directory if
   * needed (or a directory of the agent's own next to it, when another user took its name). What
   * is at the returned path afterwards has digest {@code sha256}.
   *
   * @return the file's path as the process sees it
   * @throws StagingException when no directory is usable (the message says why for each), or
   *     {@code source} does not have digest {@code sha256}
   */
  String stage(int pid, List<String> dirs, String name, Path source, String sha256) throws StagingException;

  /** Removes a file staged earlier ({@code path} as the process sees it); absent is fine. */
  void remove(int pid, String path) throws StagingException;

  /**
   * The paths (as the process sees them) of the staged patch files in the agent's staging
   * directories {@code dirs} and in its own directories next to them; empty when none can be read.
   */
  List<String> staged(int pid, List<String> dirs);
}
