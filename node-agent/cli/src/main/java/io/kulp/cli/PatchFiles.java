package io.kulp.cli;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands the PATCH arguments: a quoted wildcard such as {@code 'patches/*.so'} reaches ulp
 * unexpanded (as libpulp allows), so ulp expands it itself, in sorted order.
 */
final class PatchFiles {
  private PatchFiles() {}

  static List<Path> expand(List<String> args) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String arg : args) {
      if (!arg.contains("*") && !arg.contains("?") && !arg.contains("[")) {
        out.add(Path.of(arg));
        continue;
      }
      Path pattern = Path.of(arg);
      Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
      List<Path> matched;
      try (Stream<Path> files = Files.list(dir)) {
        matched = files.filter(p -> glob.matches(p.getFileName()) && Files.isRegularFile(p)).sorted().toList();
      }
      if (matched.isEmpty()) {
        throw new IOException("no patch matches " + arg);
      }
      out.addAll(matched);
    }
    return out;
  }
}
