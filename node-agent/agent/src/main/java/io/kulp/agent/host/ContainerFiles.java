package io.kulp.agent.host;

import java.util.List;

/**
 * Writes and removes files inside a target process's own filesystem (its mount namespace, reached
 * through {@code /proc/PID/root}), so that the process can dlopen them by a path of its own.
 */
public interface ContainerFiles {

  /**
   * Writes {@code bytes} as {@code name} into the first of {@code dirs} (paths as the process sees
   * them) that is on a writable mount allowing exec, creating the directory if needed.
   *
   * @return the file's path as the process sees it
   * @throws StagingException when no directory is usable; the message says why for each
   */
  String stage(int pid, List<String> dirs, String name, byte[] bytes) throws StagingException;

  /** Removes a file staged earlier ({@code path} as the process sees it); absent is fine. */
  void remove(int pid, String path) throws StagingException;

  /**
   * The names of the entries of directory {@code dir} (a path as the process sees it); empty when
   * it does not exist or cannot be read.
   */
  List<String> list(int pid, String dir);
}
