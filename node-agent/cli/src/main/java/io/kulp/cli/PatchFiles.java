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
 * unexpanded (as libpulp allows), so ulp expands it itself, in sorted order. With
 * {@code recursive} (libpulp's {@code trigger --recursive}), the wildcard's last part is also
 * matched in every directory below the wildcard's directory.
 */
final class PatchFiles {
  private PatchFiles() {}

  /** The files {@code args} name, each resolved against the invocation's working directory. */
  static List<Path> expand(Invocation invocation, List<String> args, boolean recursive) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String arg : args) {
      if (!arg.contains("*") && !arg.contains("?") && !arg.contains("[")) {
        out.add(invocation.resolve(arg));
        continue;
      }
      Path pattern = invocation.resolve(arg);
      Path dir = pattern.getParent();
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
      List<Path> matched;
      // Files.walk does not follow symbolic links to directories, so a link loop cannot trap it.
      try (Stream<Path> files = recursive ? Files.walk(dir) : Files.list(dir)) {
        matched = files.filter(p -> glob.matches(p.getFileName()) && Files.isRegularFile(p)).sorted().toList();
      }
      if (matched.isEmpty()) {
        throw new IOException("no patch matches " + arg + (recursive ? " in " + dir + " or below" : ""));
      }
      out.addAll(matched);
    }
    return out;
  }
}
