package io.kulp.agent.host;

/**
 * What {@code fstat(2)} says of an open file.
 *
 * @param mode type and permission bits ({@code st_mode})
 * @param uid the owner, as the agent's user namespace (the host's) sees it
 * @param links hard links ({@code st_nlink})
 * @param size bytes
 */
record FileStat(int mode, int uid, long links, long size) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_ISVTX = 01000;

  boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  boolean isLink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  /** The sticky bit: in a shared directory, only an entry's owner may rename or remove it. */
  boolean isSticky() {
    return (mode & S_ISVTX) != 0;
  }

  /** Whether users other than the owner may write (group or other write bit; with ACLs, the mask). */
  boolean writableByOthers() {
    return (mode & 022) != 0;
  }

  /** The permission bits in octal, as ls and chmod write them: {@code 0755}, {@code 1777}. */
  String permissions() {
    return String.format("%04o", mode & 07777);
  }
}
