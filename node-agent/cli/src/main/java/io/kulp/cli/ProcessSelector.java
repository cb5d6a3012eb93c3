package io.kulp.cli;

import io.kulp.host.HostProcesses;
import io.kulp.host.TimeLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Turns {@code -p PID|NAME-WILDCARD} into PIDs, as libpulp does: a number is that process; any
 * other word is a glob matched against each process's command name ({@code comm}) and the
 * basename of its {@code argv[0]}; no {@code -p} means every process with the runtime loaded.
 */
final class ProcessSelector {
  /** The largest PID Linux gives: pid_max is at most 2^22 (PID_MAX_LIMIT), and PIDs stay below it. */
  static final int PID_MAX = (1 << 22) - 1;

  private ProcessSelector() {}

  static List<Integer> select(String selector, Path procRoot, CommandSpec spec) {
    if (selector == null) {
      return HostProcesses.withRuntime(procRoot);
    }
    if (selector.matches("\\d+")) {
      return List.of(checkPid(selector, spec));
    }
    PathMatcher glob;
    try {
      glob = FileSystems.getDefault().getPathMatcher("glob:" + selector);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad process wildcard '" + selector + "': " + e.getMessage());
    }
    List<Integer> pids = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (var dirs = Files.newDirectoryStream(procRoot, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        int pid = Integer.parseInt(dir.getFileName().toString());
        if (pid != self && !zombie(dir) && (matches(glob, comm(dir)) || matches(glob, argv0(dir)))) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list processes in " + procRoot, e);
    }
    pids.sort(null);
    return pids;
  }

  /** The PID {@code digits} (any number of them) names, or a usage error when no process can have it. */
  static int checkPid(String digits, CommandSpec spec) {
    return checkPid(digits.length() > 7 ? Integer.MAX_VALUE : Integer.parseInt(digits), digits, spec);
  }

  /** {@code pid}, or a usage error when no process can have it ({@code text} is how it was given). */
  static int checkPid(int pid, String text, CommandSpec spec) {
    if (pid < 1 || pid > PID_MAX) {
      throw new ParameterException(spec.commandLine(), "no process can have PID " + text + ": PIDs run from 1 to "
          + PID_MAX);
    }
    return pid;
  }

  private static boolean matches(PathMatcher glob, String name) {
    return !name.isEmpty() && glob.matches(Path.of(name));
  }

  /** An exited process not yet reaped: nothing left to patch. */
  private static boolean zombie(Path dir) {
    try {
      String stat = Files.readString(dir.resolve("stat"));
      int end = stat.lastIndexOf(')');
      return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
    } catch (IOException e) {
      return true; // gone already
    }
  }

  private static String comm(Path dir) {
    try {
      return Files.readString(dir.resolve("comm")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The basename of argv[0]. The kernel reads it from the process's own memory, which a hostile
   * process can make never answer (a page behind userfaultfd): the read is bounded in time.
   */
  private static String argv0(Path dir) {
    try {
      byte[] cmdline = TimeLimit.shared().call(HostProcesses.SCAN_LIMIT,
          () -> Files.readAllBytes(dir.resolve("cmdline")), IOException::new);
      int end = 0;
      while (end < cmdline.length && cmdline[end] != 0) {
        end++;
      }
      String arg0 = new String(cmdline, 0, end, StandardCharsets.UTF_8);
      int slash = arg0.lastIndexOf('/');
      return slash < 0 ? arg0 : arg0.substring(slash + 1);
    } catch (IOException e) {
      return "";
    }
  }
}
