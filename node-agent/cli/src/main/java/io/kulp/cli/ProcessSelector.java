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
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Turns {@code -p PID|NAME-WILDCARD} into PIDs, as libpulp does: a number is that process; any
 * other word is a glob matched against each process's command name ({@code comm}) and the
 * basename of its {@code argv[0]}; no {@code -p} means every process with the runtime loaded.
 * {@code -u UID|WILDCARD} keeps, of those, the processes of the users it names (libpulp's
 * {@code ulp patches -u}); a process named by its PID is taken whoever owns it, as in libpulp.
 */
final class ProcessSelector {
  /** The largest PID Linux gives: pid_max is at most 2^22 (PID_MAX_LIMIT), and PIDs stay below it. */
  static final int PID_MAX = (1 << 22) - 1;

  private ProcessSelector() {}

  static List<Integer> select(String selector, Path procRoot, CommandSpec spec) {
    return select(selector, null, procRoot, spec);
  }

  static List<Integer> select(String selector, String user, Path procRoot, CommandSpec spec) {
    if (selector != null && selector.matches("-?\\d+")) {
      return List.of(checkPid(selector, spec));
    }
    Predicate<Path> owner = owner(user, spec);
    Set<Long> self = Invocation.of(spec).selfPids();
    if (selector == null) {
      return HostProcesses.withRuntime(procRoot).stream().filter(pid -> !self.contains((long) pid)
          && owner.test(procRoot.resolve(pid.toString()))).toList();
    }
    PathMatcher glob;
    try {
      glob = FileSystems.getDefault().getPathMatcher("glob:" + selector);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad process wildcard '" + selector + "': " + e.getMessage());
    }
    List<Integer> pids = new ArrayList<>();
    try (var dirs = Files.newDirectoryStream(procRoot, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        int pid = Integer.parseInt(dir.getFileName().toString());
        if (!self.contains((long) pid) && !zombie(dir) && owner.test(dir) && (matches(glob, comm(dir)) || matches(glob, argv0(dir)))) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list processes in " + procRoot, e);
    }
    pids.sort(null);
    return pids;
  }

  /** The PID {@code digits} (any number of them, perhaps signed) names, or a usage error when no process can have it. */
  static int checkPid(String digits, CommandSpec spec) {
    return checkPid(digits.startsWith("-") ? -1 : digits.length() > 7 ? Integer.MAX_VALUE : Integer.parseInt(digits),
        digits, spec);
  }

  /**
   * Whether a process directory belongs to {@code user}: a UID, or a wildcard over user names
   * (as libpulp's {@code -u}); everyone when {@code user} is null.
   */
  private static Predicate<Path> owner(String user, CommandSpec spec) {
    if (user == null) {
      return dir -> true;
    }
    if (user.matches("\\d+")) {
      long uid = user.length() > 10 ? -1 : Long.parseLong(user);
      return dir -> uid(dir) == uid;
    }
    PathMatcher glob;
    try {
      glob = FileSystems.getDefault().getPathMatcher("glob:" + user);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad user wildcard '" + user + "': " + e.getMessage());
    }
    return dir -> {
      try {
        return matches(glob, Files.getOwner(dir).getName());
      } catch (IOException e) {
        return false; // gone
      }
    };
  }

  private static long uid(Path dir) {
    try {
      return ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
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

  /**
   * {@code -p PID|WILDCARD} for the verbs that read the runtime ({@code check}, {@code messages}):
   * a PID is that process, checked now (a usage error before anything is read); a wildcard is the
   * processes with the runtime loaded whose names it matches, as libpulp's trigger takes them.
   */
  static Selection withRuntime(String selector, CommandSpec spec) {
    boolean byPid = selector.matches("-?\\d+");
    if (byPid) {
      checkPid(selector, spec);
    }
    return new Selection(selector, byPid, spec);
  }

  /** A {@code -p} value, resolved to PIDs when {@link #pids} is called. */
  record Selection(String selector, boolean byPid, CommandSpec spec) {
    List<Integer> pids(Path procRoot) {
      if (byPid) {
        return List.of(checkPid(selector, spec));
      }
      List<Integer> runtime = HostProcesses.withRuntime(procRoot);
      List<Integer> pids = select(selector, procRoot, spec).stream().filter(runtime::contains).toList();
      if (pids.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "no process with libpulp.so matches '" + selector + "'");
      }
      return pids;
    }
  }
}
