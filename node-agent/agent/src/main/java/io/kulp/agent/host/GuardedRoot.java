package io.kulp.agent.host;

import static io.kulp.host.FileSyscalls.ENOENT;
import static io.kulp.host.FileSyscalls.O_CLOEXEC;
import static io.kulp.host.FileSyscalls.O_DIRECTORY;
import static io.kulp.host.FileSyscalls.O_NOFOLLOW;
import static io.kulp.host.FileSyscalls.O_PATH;
import static io.kulp.host.FileSyscalls.RESOLVE_BENEATH;
import static io.kulp.host.FileSyscalls.RESOLVE_ONE_NAME;

import com.sun.jna.LastErrorException;
import io.kulp.host.FileStat;
import io.kulp.host.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * One process's filesystem as the agent walks it to stage a patch (through {@code /proc/PID/root}),
 * and who may change the paths in it: the guarded walk, which goes on only through entries no
 * untrusted user can replace.
 *
 * <p>It differs from {@link io.kulp.host.ContainerRoot}, the engine's resolver, in what it guards
 * against. The engine reads a file once, now: it resolves with {@code openat2(RESOLVE_IN_ROOT)} and
 * checks the one descriptor it gets, so whatever the workload renames meanwhile, the file checked
 * is the file read. Staging cannot work that way: the process opens a staged patch by its path,
 * later, after the agent wrote it. Whoever can replace an entry on that path in between decides
 * what the process loads. So the agent resolves every path itself, one name at a time from the
 * process's root, and goes on only through entries that no untrusted user can replace or rename:
 * entries of a directory that only its trusted owner may write, or, in a shared directory with
 * the sticky bit (such as {@code /tmp}), entries a trusted user owns. Symbolic links are followed
 * as the kernel follows them, and are such entries too, so that the path resolves for the process
 * later as it did for the agent. Trusted are the host's root (the agent) and the container's root
 * (uid 0 of the process's user namespace): root administers its container. Neither the process's
 * own uid nor any other user of the container is (docs/design.md, "Threat model").
 */
final class GuardedRoot implements AutoCloseable {
  /** Symbolic links followed on one path at most, as the kernel's limit. */
  static final int MAX_LINKS = 40;

  private final Fd root;
  private final FileStat rootStat;
  /** The host uid of the container's root; -1 when the process's user namespace maps none. */
  private final int containerRoot;

  private GuardedRoot(Fd root, int containerRoot) {
    this.root = root;
    this.rootStat = root.stat();
    this.containerRoot = containerRoot;
  }

  static GuardedRoot open(HostPaths host, int pid) throws StagingException {
    Path entry = host.proc(pid);
    try {
      entry = host.processEntry(pid); // the main thread may have exited
      int containerRoot = hostUidOfRoot(Files.readAllLines(entry.resolve("uid_map")));
      return new GuardedRoot(Fd.open(entry.resolve("root").toString(),
          O_PATH | O_DIRECTORY | O_CLOEXEC), containerRoot);
    } catch (IOException e) {
      throw new StagingException("cannot open " + entry + "/root: " + e.getMessage() + " (the process is gone)");
    } catch (LastErrorException e) {
      throw new StagingException("cannot open " + entry + "/root: " + e.getMessage()
          + (e.getErrorCode() == ENOENT ? " (the process is gone)" : " (the agent needs CAP_SYS_PTRACE)"));
    }
  }

  /** The host uid that uid 0 of a user namespace maps to ({@code uid_map} as the host reads it); -1 if none. */
  static int hostUidOfRoot(List<String> uidMap) {
    for (String line : uidMap) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[0].equals("0") && f[1].matches("[0-9]{1,10}") && !f[2].equals("0")) {
        return (int) Long.parseLong(f[1]);
      }
    }
    return -1;
  }

  /** Whether files owned by host uid {@code uid} may decide what the container's processes load. */
  boolean trusted(int uid) {
    return uid == 0 || uid == containerRoot;
  }

  /**
   * Opens directory {@code path} (absolute, as the process sees it) with {@code O_PATH}, following
   * links as the kernel would, through entries no untrusted user can replace (see above). The
   * caller closes the step's descriptor.
   *
   * @throws UnusableDirectory when some entry on the way could be replaced, or is no directory
   * @throws LastErrorException when a name does not resolve ({@code ENOENT}...)
   */
  Step openDirectory(String path) throws UnusableDirectory {
    Deque<String> names = names(path);
    Deque<Step> chain = new ArrayDeque<>();
    chain.push(new Step(Fd.openat2(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
        RESOLVE_BENEATH), rootStat, ""));
    int links = 0;
    try {
      while (!names.isEmpty()) {
        String name = names.pop();
        if (name.equals("..")) {
          if (chain.size() > 1) {
            chain.pop().fd().close();
          }
          continue;
        }
        Step dir = chain.peek();
        String shown = dir.path() + "/" + name;
        Fd entry = Fd.openat2(dir.fd(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_ONE_NAME);
        try {
          FileStat stat = entry.stat();
          String replaceable = replaceable(dir, shown, stat);
          if (replaceable != null) {
            throw new UnusableDirectory(replaceable);
          }
          if (stat.isLink()) {
            if (++links > MAX_LINKS) {
              throw new UnusableDirectory(path + ": more than " + MAX_LINKS + " symbolic links");
            }
            String target = entry.readLink();
            if (target.startsWith("/")) {
              while (chain.size() > 1) {
                chain.pop().fd().close();
              }
            }
            names(target).descendingIterator().forEachRemaining(names::push);
            continue;
          }
          if (!stat.isDirectory()) {
            throw new UnusableDirectory(shown + " is not a directory");
          }
          chain.push(new Step(entry, stat, shown));
          entry = null;
        } finally {
          if (entry != null) {
            entry.close();
          }
        }
      }
      return chain.pop();
    } finally {
      chain.forEach(s -> s.fd().close());
    }
  }

  /**
   * Why the directory {@code stat} (at {@code shown}) is not one the agent stages in: it must be a
   * directory that only its trusted owner may write. Null when it is.
   */
  String notOwn(String shown, FileStat stat) {
    if (stat.isLink()) {
      return shown + " is a symbolic link";
    }
    if (!stat.isDirectory()) {
      return shown + " is not a directory";
    }
    if (!trusted(stat.uid())) {
      return shown + " belongs to uid " + stat.uid() + ", not root";
    }
    if (stat.writableByOthers()) {
      return shown + " is writable by others (mode " + stat.permissions() + ")";
    }
    return null;
  }

  /**
   * Why an entry that root owns in {@code dir} could be replaced by an untrusted user (the
   * directory's owner is not trusted, or others may write it and it has no sticky bit); null if
   * it cannot.
   */
  String replaceable(Step dir) {
    String where = dir.path().isEmpty() ? "/" : dir.path();
    if (!trusted(dir.stat().uid())) {
      return where + " belongs to uid " + dir.stat().uid() + ", who may replace what is in it";
    }
    if (dir.stat().writableByOthers() && !dir.stat().isSticky()) {
      return where + " is writable by others without the sticky bit (mode " + dir.stat().permissions()
          + "), so they may replace what is in it";
    }
    return null;
  }

  /** Why the entry {@code stat} of {@code dir}, at {@code shown}, could be replaced by an untrusted user; or null. */
  String replaceable(Step dir, String shown, FileStat stat) {
    String why = replaceable(dir);
    if (why == null && dir.stat().writableByOthers() && !trusted(stat.uid())) {
      why = shown + " belongs to uid " + stat.uid() + ", not root";
    }
    return why;
  }

  /**
   * A directory the agent holds open ({@code O_PATH}), what it was when it was checked, and the
   * path it was reached by ("" for the root).
   */
  record Step(Fd fd, FileStat stat, String path) implements AutoCloseable {
    @Override
    public void close() {
      fd.close();
    }
  }

  private static Deque<String> names(String path) {
    Deque<String> names = new ArrayDeque<>();
    for (String name : path.split("/")) {
      if (!name.isEmpty() && !name.equals(".")) {
        names.add(name);
      }
    }
    return names;
  }

  @Override
  public void close() {
    root.close();
  }
}
