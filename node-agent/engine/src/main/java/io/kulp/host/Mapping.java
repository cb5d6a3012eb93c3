package io.kulp.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One line of {@code /proc/PID/maps}. */
public record Mapping(long start, long end, String perms, long offset, String device, long inode, String path) {
  private static final String DELETED = " (deleted)";

  public boolean executable() {
    return perms.length() > 2 && perms.charAt(2) == 'x';
  }

  /**
   * The file name after the last '/', without the " (deleted)" the kernel appends once the file
   * was removed (an upgraded package: the process still runs the old file); "" for anonymous
   * mappings.
   */
  public String basename() {
    String p = path.endsWith(DELETED) ? path.substring(0, path.length() - DELETED.length()) : path;
    int slash = p.lastIndexOf('/');
    return slash < 0 ? p : p.substring(slash + 1);
  }

  /** The {@code /proc/PID/map_files} name of this mapping. */
  public String mapFilesName() {
    return Long.toHexString(start) + "-" + Long.toHexString(end);
  }

  /** Parses {@code maps} of one procfs entry; {@link ProcessMaps#read} picks the entry. */
  public static List<Mapping> read(Path procPid) throws IOException {
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
  public static Mapping parse(String line) {
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
