package io.kulp.engine;

import io.kulp.host.ProcessEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One line of {@code /proc/PID/maps}. */
record Mapping(long start, long end, String perms, long offset, String device, long inode, String path) {

  boolean executable() {
    return perms.length() > 2 && perms.charAt(2) == 'x';
  }

  /** The file name after the last '/', or "" for anonymous mappings. */
  String basename() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** The {@code /proc/PID/map_files} name of this mapping. */
  String mapFilesName() {
    return Long.toHexString(start) + "-" + Long.toHexString(end);
  }

  /**
   * Reads the maps of process {@code pid}, and the entry they were read through: a live thread's
   * if its main thread has exited (empty maps also mean a kernel thread or a zombie).
   */
  static ProcessEntry.Seen<List<Mapping>> ofProcess(Path procRoot, int pid) throws IOException {
    return ProcessEntry.read(procRoot, pid, Mapping::read, List::isEmpty);
  }

  static List<Mapping> read(Path procPid) throws IOException {
    List<Mapping> maps = new ArrayList<>();
    String all = Files.readString(procPid.resolve("maps"));
    for (int start = 0; start < all.length();) {
      int end = all.indexOf('\n', start);
      if (end < 0) {
        end = all.length();
      }
      Mapping m = parse(all.substring(start, end));
      if (m != null) {
        maps.add(m);
      }
      start = end + 1;
    }
    return maps;
  }

  /**
   * Parses "start-end perms offset dev inode [path]"; null for a line that is not one. By hand,
   * not with a regular expression: a busy agent parses thousands of these lines.
   */
  static Mapping parse(String line) {
    int[] at = {0};
    String range = field(line, at);
    String perms = field(line, at);
    String offset = field(line, at);
    String device = field(line, at);
    String inode = field(line, at);
    int dash = range == null ? -1 : range.indexOf('-');
    if (inode == null || dash < 0) {
      return null;
    }
    while (at[0] < line.length() && line.charAt(at[0]) == ' ') {
      at[0]++;
    }
    try {
      return new Mapping(Long.parseUnsignedLong(range, 0, dash, 16),
          Long.parseUnsignedLong(range, dash + 1, range.length(), 16), perms, Long.parseUnsignedLong(offset, 16), device,
          Long.parseLong(inode), line.substring(at[0]).trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The next space-separated field from at[0], or null at the end of the line. */
  private static String field(String line, int[] at) {
    int i = at[0];
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    int start = i;
    while (i < line.length() && line.charAt(i) != ' ') {
      i++;
    }
    at[0] = i;
    return i > start ? line.substring(start, i) : null;
  }
}
