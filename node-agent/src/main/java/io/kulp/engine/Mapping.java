package io.kulp.engine;

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

  static List<Mapping> read(Path procPid) throws IOException {
    List<Mapping> maps = new ArrayList<>();
    for (String line : Files.readAllLines(procPid.resolve("maps"))) {
      Mapping m = parse(line);
      if (m != null) {
        maps.add(m);
      }
    }
    return maps;
  }

  /** Parses "start-end perms offset dev inode [path]"; null for a line that is not one. */
  static Mapping parse(String line) {
    String[] f = line.split("\\s+", 6);
    if (f.length < 5) {
      return null;
    }
    int dash = f[0].indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      return new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
          Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseUnsignedLong(f[2], 16), f[3],
          Long.parseLong(f[4]), f.length > 5 ? f[5].trim() : "");
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
