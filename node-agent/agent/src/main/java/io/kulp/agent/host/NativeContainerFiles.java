package io.kulp.agent.host;

import static io.kulp.host.FileSyscalls.ENOENT;
import static io.kulp.host.FileSyscalls.O_CLOEXEC;
import static io.kulp.host.FileSyscalls.O_DIRECTORY;
import static io.kulp.host.FileSyscalls.O_NOFOLLOW;
import static io.kulp.host.FileSyscalls.O_PATH;
import static io.kulp.host.FileSyscalls.O_RDONLY;
import static io.kulp.host.FileSyscalls.RESOLVE_BENEATH;
import static io.kulp.host.FileSyscalls.RESOLVE_ONE_NAME;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.kulp.agent.host.GuardedRoot.Step;
import io.kulp.api.StagedPatchName;
import io.kulp.host.FileStat;
import io.kulp.host.HostPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerFiles} with {@code openat2(2)}, on descriptors. Every path inside the container
 * is walked one name at a time from the process's {@code /proc/PID/root} ({@link GuardedRoot}),
 * so a symbolic link the container planted (say {@code /tmp -> /etc}, or an absolute link)
 * resolves inside the container, never on the host, and only through entries no user of the
 * container but root can replace. The staging directory must be the agent's: a directory owned by
 * root that no one else may write. When another user took its name first (a world-writable
 * directory, a directory of its own, a plain file, a link), the agent leaves that entry alone and
 * stages into a directory of its own next to it, {@code NAME-<16 hex digits>}, made with
 * {@code mkdirat} (which fails on an existing name). The file is written to a fresh name
 * ({@code O_EXCL}) while its sha256 is computed, synced, made read-only (0444) and renamed into
 * place; then it is read back through a new descriptor and must have the digest the agent verified.
 * Mount flags come from {@code fstatfs}: a directory on a read-only or {@code noexec} mount is
 * passed over (a dlopen from it would fail). Needs Linux 5.6 or later.
 */
public final class NativeContainerFiles implements ContainerFiles {
  private static final Logger LOG = LoggerFactory.getLogger(NativeContainerFiles.class);
  /** Entries of a parent directory (such as /tmp) looked through for the agent's own directory. */
  static final int MAX_LISTED = 10_000;
  private static final int OWN_DIRECTORY_MODE = 0711;
  private static final int STAGED_FILE_MODE = 0444;
  private static final int BUFFER = 64 << 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final HostPaths host;

  public NativeContainerFiles(HostPaths host) {
    this.host = host;
  }

  @Override
  public String stage(int pid, List<String> dirs, String name, Path source, String sha256) throws StagingException {
    List<String> refusals = new ArrayList<>();
    try (GuardedRoot root = GuardedRoot.open(host, pid)) {
      for (String dir : dirs) {
        try {
          return stageIn(root, dir, name, source, sha256);
        } catch (UnusableDirectory e) {
          refusals.add(dir + ": " + e.getMessage());
        } catch (LastErrorException e) {
          refusals.add(dir + ": " + (e.getErrorCode() == ENOENT ? "its parent does not exist" : e.getMessage()));
        }
      }
    }
    throw new StagingException("no staging directory is usable in process " + pid + " (" + String.join("; ", refusals)
        + "); set KULP_STAGING_DIRS to a writable directory of the container that allows exec, whose parents only"
        + " root may write (or that are sticky, as /tmp)");
  }

  private String stageIn(GuardedRoot root, String dir, String name, Path source, String sha256)
      throws UnusableDirectory, StagingException {
    String parentPath = dir.substring(0, dir.lastIndexOf('/'));
    try (Step parent = root.openDirectory(parentPath)) {
      String unusable = parent.fd().unusableMount();
      if (unusable == null) {
        unusable = root.replaceable(parent);
      }
      if (unusable != null) {
        throw new UnusableDirectory(unusable);
      }
      try (Step own = ownDirectory(root, parent, dir)) {
        unusable = own.fd().unusableMount();
        if (unusable != null) {
          throw new UnusableDirectory(unusable);
        }
        String path = parentPath + "/" + leaf(own.path()) + "/" + name;
        write(own.fd(), path, source, sha256);
        return path;
      }
    }
  }

  /**
   * The staging directory {@code dir} in {@code parent}: made if absent; if its name is taken by
   * anything that is not the agent's, a directory of the agent's own next to it instead.
   */
  private static Step ownDirectory(GuardedRoot root, Step parent, String dir) throws UnusableDirectory {
    String leaf = leaf(dir);
    String squatted;
    try {
      makeDirectory(parent, leaf);
      Step own = directory(root, parent, leaf);
      squatted = root.notOwn(own.path(), own.stat());
      if (squatted == null) {
        return own;
      }
      own.close();
    } catch (UnusableDirectory e) {
      squatted = e.getMessage();
    }
    for (String fallback : fallbacks(parent, leaf)) {
      try {
        Step own = directory(root, parent, fallback);
        if (root.notOwn(own.path(), own.stat()) == null) {
          return own;
        }
        own.close();
      } catch (UnusableDirectory | LastErrorException e) {
        // not one of the agent's: pass over it
      }
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      String fallback = leaf + "-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
      if (!makeDirectory(parent, fallback)) {
        continue; // taken: someone guessed it
      }
      Step own = directory(root, parent, fallback);
      String why = root.notOwn(own.path(), own.stat());
      if (why == null) {
        LOG.atWarn().addKeyValue("path", dir).addKeyValue("instead", own.path())
            .log("a staging directory is taken by something that is not the agent's: " + squatted);
        return own;
      }
      own.close();
      throw new UnusableDirectory(squatted + ", and " + why);
    }
    throw new UnusableDirectory(squatted + ", and no directory of the agent's own could be made next to it");
  }

  /**
   * Makes directory {@code name} in {@code parent}, mode 0711 whatever the umask; false when the
   * name exists. The caller made sure nobody but root can replace an entry of root's in
   * {@code parent}, so the name still is the new directory when it is changed.
   */
  private static boolean makeDirectory(Step parent, String name) {
    try {
      Libc.C.mkdirat(parent.fd().number(), name, OWN_DIRECTORY_MODE);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Libc.EEXIST) {
        return false;
      }
      throw e;
    }
    Libc.C.fchmodat(parent.fd().number(), name, OWN_DIRECTORY_MODE, 0);
    return true;
  }

  /** Opens the entry {@code name} of {@code parent}, which nobody else may be able to replace. */
  private static Step directory(GuardedRoot root, Step parent, String name) throws UnusableDirectory {
    String shown = parent.path() + "/" + name;
    Fd fd = Fd.openat2(parent.fd(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_ONE_NAME);
    try {
      FileStat stat = fd.stat();
      String why = root.replaceable(parent, shown, stat);
      if (why != null) {
        throw new UnusableDirectory(why);
      }
      Step step = new Step(fd, stat, shown);
      fd = null;
      return step;
    } finally {
      if (fd != null) {
        fd.close();
      }
    }
  }

  /** Names in {@code parent} that look like the agent's own directories next to {@code leaf}, sorted. */
  private static List<String> fallbacks(Step parent, String leaf) {
    Pattern own = Pattern.compile(Pattern.quote(leaf) + "-[0-9a-f]{16}");
    return names(parent.fd()).stream().filter(n -> own.matcher(n).matches()).sorted().toList();
  }

  /** At most {@link #MAX_LISTED} names of the directory {@code dir}; empty when it cannot be read. */
  private static List<String> names(Fd dir) {
    try (Fd readable = Fd.openat2(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_BENEATH);
        Stream<Path> entries = Files.list(Path.of("/proc/self/fd/" + readable.number()))) {
      // the descriptor's directory: listing it follows no link
      return entries.limit(MAX_LISTED).map(e -> e.getFileName().toString()).toList();
    } catch (LastErrorException | IOException e) {
      return List.of();
    }
  }

  /** Copies {@code source} into {@code dir} as the last name of {@code path}, and checks what is there afterwards. */
  private static void write(Fd dir, String path, Path source, String sha256) throws StagingException {
    String name = leaf(path);
    String tmp = "." + name + "." + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".tmp";
    boolean placed = false;
    try (Fd file = Fd.openat2(dir, tmp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | O_NOFOLLOW | O_CLOEXEC,
        STAGED_FILE_MODE, RESOLVE_ONE_NAME)) {
      String copied = copy(source, file);
      if (!copied.equals(sha256)) {
        throw new StagingException("the agent's copy of the patch (" + source + ") has sha256 " + copied + ", not "
            + sha256 + "; nothing was staged");
      }
      Libc.C.fchmod(file.number(), STAGED_FILE_MODE);
      Libc.C.fsync(file.number());
      Libc.C.renameat(dir.number(), tmp, dir.number(), name);
      placed = true;
    } finally {
      if (!placed) {
        try {
          Libc.C.unlinkat(dir.number(), tmp, 0);
        } catch (LastErrorException ignored) {
          // not created
        }
      }
    }
    String staged = stagedDigest(dir, name);
    if (!sha256.equals(staged)) {
      throw new StagingException(path + " does not hold the verified patch after staging (" + staged + ")");
    }
  }

  private static String copy(Path source, Fd file) throws StagingException {
    MessageDigest sha = sha256();
    Memory buffer = new Memory(BUFFER);
    byte[] chunk = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(source)) {
      for (int n; (n = in.read(chunk)) > 0; ) {
        sha.update(chunk, 0, n);
        buffer.write(0, chunk, 0, n);
        for (long done = 0; done < n; ) {
          done += Libc.C.write(file.number(), buffer.share(done), n - done);
        }
      }
    } catch (IOException e) {
      throw new StagingException("cannot read the agent's copy of the patch (" + source + "): " + e.getMessage());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The sha256 of the file {@code name} of {@code dir}, read through a new descriptor; or what is wrong with it. */
  private static String stagedDigest(Fd dir, String name) {
    try (Fd file = Fd.openat2(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_ONE_NAME)) {
      FileStat stat = file.stat();
      if (!stat.isRegularFile() || stat.uid() != 0 || stat.links() != 1 || (stat.mode() & 07777) != STAGED_FILE_MODE) {
        return "not a read-only file of root's with one link: mode " + Integer.toOctalString(stat.mode()) + ", uid "
            + stat.uid() + ", " + stat.links() + " links";
      }
      MessageDigest sha = sha256();
      Memory buffer = new Memory(BUFFER);
      for (long n; (n = Libc.C.read(file.number(), buffer, BUFFER)) > 0; ) {
        sha.update(buffer.getByteArray(0, (int) n));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (LastErrorException e) {
      return "cannot read it back: " + e.getMessage();
    }
  }

  @Override
  public void remove(int pid, String path) throws StagingException {
    String name = leaf(path);
    if (!path.startsWith("/") || StagedPatchName.sha256Of(name).isEmpty() || path.indexOf('/', 1) < 0) {
      throw new StagingException("not a staged file: " + path);
    }
    String dir = path.substring(0, path.lastIndexOf('/'));
    try (GuardedRoot root = GuardedRoot.open(host, pid);
        Step parent = root.openDirectory(dir.substring(0, dir.lastIndexOf('/')));
        Step own = directory(root, parent, leaf(dir))) {
      String why = root.notOwn(own.path(), own.stat());
      if (why != null) {
        throw new UnusableDirectory(why);
      }
      Libc.C.unlinkat(own.fd().number(), name, 0);
    } catch (UnusableDirectory e) {
      throw new StagingException("cannot remove " + path + " from process " + pid + ": " + e.getMessage());
    } catch (LastErrorException e) {
      if (e.getErrorCode() != ENOENT) {
        throw new StagingException("cannot remove " + path + " from process " + pid + ": " + e.getMessage());
      }
    }
  }

  @Override
  public List<String> staged(int pid, List<String> dirs) {
    List<String> paths = new ArrayList<>();
    try (GuardedRoot root = GuardedRoot.open(host, pid)) {
      for (String dir : dirs) {
        String parentPath = dir.substring(0, dir.lastIndexOf('/'));
        try (Step parent = root.openDirectory(parentPath)) {
          List<String> leaves = new ArrayList<>(List.of(leaf(dir)));
          leaves.addAll(fallbacks(parent, leaf(dir)));
          for (String leaf : leaves) {
            try (Step own = directory(root, parent, leaf)) {
              if (root.notOwn(own.path(), own.stat()) == null) {
                names(own.fd()).stream().filter(n -> StagedPatchName.sha256Of(n).isPresent())
                    .forEach(n -> paths.add(parentPath + "/" + leaf + "/" + n));
              }
            } catch (UnusableDirectory | LastErrorException e) {
              // not the agent's, or absent: nothing of the agent's in it
            }
          }
        } catch (UnusableDirectory | LastErrorException e) {
          // no staging directory here
        }
      }
    } catch (StagingException gone) {
      return List.of();
    }
    return paths;
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
