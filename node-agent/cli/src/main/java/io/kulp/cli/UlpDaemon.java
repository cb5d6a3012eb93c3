package io.kulp.cli;

import io.kulp.host.TimeLimit;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * kulp's resident engine: a JVM that stays up between {@code ulp} commands, so that a command that
 * works on processes pays neither a JVM's start nor a cold engine (docs/design.md, "The resident
 * engine"). {@code ulp-client} (the launcher runs it for the verbs below) starts it on first use
 * and sends it each command; the daemon runs the command as a {@code ulp} JVM would, in the
 * client's working directory, streams its output back and ends with its exit status. It serves
 * only clients of its own identity ({@link ProcessIdentity}, read through the socket's peer
 * credentials), through a socket in a directory only its user can enter, and exits after
 * {@code ULP_DAEMON_IDLE} seconds without a command (default 300).
 */
public final class UlpDaemon {
  /** The verbs the daemon runs: those that work on processes. The others start a JVM of their own. */
  static final Set<Class<?>> RESIDENT_VERBS = Set.of(TriggerCommand.class, PatchesCommand.class, CheckCommand.class,
      MessagesCommand.class, SetPatchableCommand.class);

  /** Help and version go to a JVM of their own: picocli colours them for the terminal it runs on. */
  private static final Set<String> HELP_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  /** Commands run at once; a client beyond them runs its command in a JVM of its own. */
  static final int MAX_COMMANDS = 16;

  /** How long a client has to send its request, and then its "go", once connected. */
  static final Duration CLIENT_TIME = Duration.ofSeconds(10);

  static final Duration DEFAULT_IDLE = Duration.ofMinutes(5);

  private final String identity;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
  /** Set once a command gave up on a thread blocked in the kernel: the daemon then takes no more and leaves. */
  private final AtomicBoolean retiring = new AtomicBoolean();

  private UlpDaemon(String identity) {
    this.identity = identity;
  }

  /** {@code UlpDaemon SOCKET}: serves on SOCKET until idle; started by ulp-client through the launcher. */
  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args[0]);
    checkDirectory(socket.getParent());
    UlpDaemon daemon = null;
    // One daemon per socket: the lock outlives a crashed daemon's socket file, which is then replaced.
    try (FileChannel lockFile = FileChannel.open(Path.of(socket + ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS); FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        return; // another daemon serves this socket; the client that started this one connects to it
      }
      Files.deleteIfExists(socket);
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
          Selector selector = Selector.open()) {
        server.bind(UnixDomainSocketAddress.of(socket));
        daemon = new UlpDaemon(ProcessIdentity.of(Path.of("/proc/self")));
        ready(System.getenv("ULP_DAEMON_READY_FD"));
        daemon.acceptUntilIdle(server, selector, idle(System.getenv("ULP_DAEMON_IDLE")));
      } finally {
        Files.deleteIfExists(socket);
      }
    }
    if (daemon != null) {
      daemon.awaitCommands();
    }
    // Ends the threads given up on as well: the kernel then lets their processes go, as when a
    // ulp JVM of its own ends.
    System.exit(0);
  }

  /** Waits for the commands still running: each is bounded by its own deadlines. */
  private void awaitCommands() throws InterruptedException {
    while (running.get() > 0) {
      Thread.sleep(10);
    }
  }

  /** The socket's directory must be this user's alone, as ulp-client checked it. */
  private static void checkDirectory(Path dir) throws IOException {
    PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_EXECUTE);
    if (!attributes.isDirectory() || attributes.permissions().stream().anyMatch(others::contains)
        || !attributes.owner().equals(Files.getOwner(Path.of("/proc/self")))) {
      throw new IOException(dir + " is not a directory of this user's alone (mode 0700)");
    }
  }

  /** ULP_DAEMON_IDLE in seconds, from 1 to a day; the default when unset or not such a number. */
  static Duration idle(String seconds) {
    if (seconds != null && seconds.matches("\\d{1,5}")) {
      long s = Long.parseLong(seconds);
      if (s >= 1 && s <= 86_400) {
        return Duration.ofSeconds(s);
      }
    }
    return DEFAULT_IDLE;
  }

  /** Tells the client that started this daemon that it listens: one byte on the pipe it handed down. */
  private static void ready(String fd) throws IOException {
    if (fd == null || !fd.matches("\\d+")) {
      return;
    }
    Path pipe = Path.of("/proc/self/fd/" + fd);
    if (Files.readSymbolicLink(pipe).toString().startsWith("pipe:")) { // never a file the JVM opened there
      Files.write(pipe, new byte[] {'r'}, StandardOpenOption.APPEND);
    }
  }

  private void acceptUntilIdle(ServerSocketChannel server, Selector selector, Duration idle) throws IOException {
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    while (true) {
      selector.select(Math.min(1000, idle.toMillis()));
      selector.selectedKeys().clear();
      SocketChannel client;
      while ((client = server.accept()) != null) {
        lastActivity.set(System.nanoTime());
        start(client);
      }
      if (retiring.get() || running.get() == 0 && System.nanoTime() - lastActivity.get() >= idle.toNanos()) {
        return;
      }
    }
  }

  /** Serves one client on a thread of its own: ptrace binds each traced thread to the thread that seized it. */
  private void start(SocketChannel client) {
    if (running.incrementAndGet() > MAX_COMMANDS) {
      running.decrementAndGet();
      closeQuietly(client); // the client runs the command itself
      return;
    }
    Thread thread = new Thread(() -> {
      try (client) {
        serveOne(client);
      } catch (Exception | Error e) {
        System.err.println("ulp daemon: a command failed: " + e);
        e.printStackTrace();
      } finally {
        lastActivity.set(System.nanoTime());
        running.decrementAndGet();
      }
    }, "ulp-client");
    thread.start();
  }

  private void serveOne(SocketChannel client) throws IOException {
    long deadline = System.nanoTime() + CLIENT_TIME.toNanos();
    DaemonReply reply = new DaemonReply(client);
    long pid = PeerProcess.pid(client);
    String refusal = refusal(pid);
    DaemonRequest request = null;
    if (refusal == null) {
      try {
        request = DaemonRequest.parse(read(client, deadline));
        refusal = refusal(request);
      } catch (IllegalArgumentException e) {
        refusal = "bad request: " + e.getMessage();
      }
    }
    if (refusal != null) {
      // The log (SOCKET.log) says why a client's command ran in a JVM of its own.
      System.err.println("ulp daemon: process " + pid + " runs its command itself: " + refusal);
      reply.fallback(refusal);
      return;
    }
    // The command runs only on the client's "go": a client that gave up waiting runs it itself.
    if (!reply.accepted() || !go(client, deadline)) {
      return;
    }
    int code;
    CommandLine cli = Ulp.commandLine(request.args(), request.invocation(pid));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(reply.stream(DaemonReply.STDOUT), StandardCharsets.UTF_8),
        true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(reply.stream(DaemonReply.STDERR), StandardCharsets.UTF_8),
        true);
    cli.setOut(out).setErr(err);
    try {
      code = Ulp.execute(cli, request.args());
    } catch (RuntimeException | Error e) {
      err.println("ulp: internal error in the resident engine: " + e + " (a kulp bug: please report it)");
      code = ErrorReporter.FAILURE;
    }
    out.flush();
    err.flush();
    if (TimeLimit.shared().abandoned() > 0) {
      retiring.set(true);
      reply.retiring();
    }
    reply.exit(code);
  }

  /** Why the daemon does not serve process {@code pid}, or null: its identity must be the daemon's own. */
  private String refusal(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      String started = ProcessIdentity.startTime(proc);
      String theirs = ProcessIdentity.of(proc);
      if (!started.equals(ProcessIdentity.startTime(proc))) {
        return "the client's PID changed hands";
      }
      return theirs.equals(identity) ? null : "another identity (" + theirs + ")";
    } catch (IOException | RuntimeException e) {
      return "cannot read the client's identity: " + e.getMessage();
    }
  }

  /** Why the daemon does not run this request, or null if it does. */
  private static String refusal(DaemonRequest request) {
    List<Class<?>> verbs = Ulp.namedVerbs(request.args());
    if (verbs.size() != 1 || !RESIDENT_VERBS.contains(verbs.get(0))) {
      return "not one verb that works on processes";
    }
    if (List.of(request.args()).stream().anyMatch(HELP_OPTIONS::contains)) {
      return "help and version are written for the client's terminal";
    }
    return null;
  }

  /** The request's body, read by {@code deadline}: a client that sends nothing cannot hold a thread. */
  private static byte[] read(SocketChannel client, long deadline) throws IOException {
    ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    readFully(client, length, deadline);
    int size = length.flip().getInt();
    if (size < 0 || size > DaemonRequest.MAX_BYTES) {
      throw new IllegalArgumentException("a request of " + size + " bytes");
    }
    ByteBuffer body = ByteBuffer.allocate(size);
    readFully(client, body, deadline);
    return body.array();
  }

  /** Whether the client said "go" by {@code deadline}. */
  private static boolean go(SocketChannel client, long deadline) throws IOException {
    ByteBuffer go = ByteBuffer.allocate(1);
    try {
      readFully(client, go, deadline);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return go.get(0) == 'g';
  }

  private static void readFully(SocketChannel client, ByteBuffer buffer, long deadline) throws IOException {
    client.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      client.register(selector, SelectionKey.OP_READ);
      while (buffer.hasRemaining()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalArgumentException("the client sent nothing within " + CLIENT_TIME.toSeconds() + " s");
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        if (client.read(buffer) < 0) {
          throw new IllegalArgumentException("the client closed the connection");
        }
      }
    } finally {
      client.configureBlocking(true); // the selector, closed first, has let the channel go
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
