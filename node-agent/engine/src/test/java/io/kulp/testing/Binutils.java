package io.kulp.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the binutils say about a file, as the reference the ELF reader and packer are checked against. */
public final class Binutils {
  private static final Pattern BUILD_ID = Pattern.compile("Build ID: ([0-9a-f]+)");

  private Binutils() {}

  /** The value {@code nm} prints for the one symbol called {@code name}. */
  public static long nmValue(Path file, String name) {
    List<Long> found = new ArrayList<>();
    for (String line : Commands.output("nm", "-a", file.toString()).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[2].equals(name)) {
        found.add(Long.parseUnsignedLong(f[0], 16));
      }
    }
    if (found.size() != 1) {
      throw new IllegalStateException("nm lists " + found.size() + " symbols called " + name + " in " + file);
    }
    return found.get(0);
  }

  /** The build-id {@code readelf -n} prints, in hex. */
  public static String buildId(Path file) {
    Matcher m = BUILD_ID.matcher(Commands.output("readelf", "-n", file.toString()));
    if (!m.find()) {
      throw new IllegalStateException("readelf shows no build-id in " + file);
    }
    return m.group(1);
  }

  /** The section names {@code readelf -S -W} lists, in order. */
  public static List<String> sectionNames(Path file) {
    List<String> names = new ArrayList<>();
    Pattern row = Pattern.compile("^\\s*\\[\\s*\\d+]\\s+(\\S+)");
    for (String line : Commands.output("readelf", "-S", "-W", file.toString()).split("\n")) {
      Matcher m = row.matcher(line);
      if (m.find() && !m.group(1).equals("NULL")) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
