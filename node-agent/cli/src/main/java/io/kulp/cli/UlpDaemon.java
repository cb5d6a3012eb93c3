package io.kulp.cli;

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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import picocli.CommandLine;

/**
 * kulp's resident engine: a JVM that stays up between {@code ulp} commands, so that a command that
 * works on processes pays neither a JVM's start nor a cold engine (docs/design.md, "The resident
 * engine"). {@code ulp-client} (the launcher runs it for the verbs below) starts it on first use
 * and sends it each command; the daemon runs the command as a {@code ulp} JVM would, in the
 * client's working directory and environment, streams its output back and ends with its exit
 * status. It serves only clients of its own identity ({@link ProcessIdentity}), through a socket
 * in a directory only its user can enter, and exits after {@code ULP_DAEMON_IDLE} seconds without a
 * command (default 300).
 */
public final class UlpDaemon {
  /** The verbs the daemon runs: those that work on processes. The others start a JVM of their own. */
  static final Set<Class<?>> RESIDENT_VERBS = Set.of(TriggerCommand.class, PatchesCommand.class, CheckCommand.class,
      MessagesCommand.class, SetPatchableCommand.class);

  /** Commands run at once; a client beyond them runs its command in a JVM of its own. */
  static final int MAX_COMMANDS = 16;

  /** How long a client has to send its request once connected. */
  static final Duration REQUEST_TIME = Duration.ofSeconds(10);

  static final Duration DEFAULT_IDLE = Duration.ofMinutes(5);

  private final String identity;
  private final UserPrincipal user;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());

  private UlpDaemon(String identity, UserPrincipal user) {
    this.identity = identity;
    this.user = user;
  }

  /** {@code UlpDaemon SOCKET}: serves on SOCKET until idle; started by ulp-client through the launcher. */
  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args[0]);
    Map<String, String> env = System.getenv();
    Duration idle = env.containsKey("ULP_DAEMON_IDLE") ? Duration.ofSeconds(Long.parseLong(env.get("ULP_DAEMON_IDLE")))
        : DEFAULT_IDLE;
    // One daemon per socket: the lock outlives a crashed daemon's socket file, which is then replaced.
    try (FileChannel lockFile = FileChannel.open(Path.of(socket + ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        return; // another daemon serves this socket; the client that started this one connects to it
      }
      Files.deleteIfExists(socket);
      try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
          Selector selector = Selector.open()) {
        server.bind(UnixDomainSocketAddress.of(socket));
        UlpDaemon daemon = new UlpDaemon(ProcessIdentity.ofThisProcess(), Files.getOwner(Path.of("/proc/self")));
        ready(env.get("ULP_DAEMON_READY_FD"));
        daemon.serve(server, selector, idle);
      } finally {
        Files.deleteIfExists(socket);
      }
    }
    System.exit(0);
  }

  /** Tells the client that started this daemon that it listens: one byte on the pipe it handed down. */
  private static void ready(String fd) throws IOException {
    if (fd != null && fd.matches("\\d+")) {
      Files.write(Path.of("/proc/self/fd/" + fd), new byte[] {'r'}, StandardOpenOption.APPEND);
    }
  }

  private void serve(ServerSocketChannel server, Selector selector, Duration idle) throws IOException {
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    while (true) {
      selector.select(Math.max(1, Math.min(1000, idle.toMillis())));
      selector.selectedKeys().clear();
      SocketChannel client;
      while ((client = server.accept()) != null) {
        lastActivity.set(System.nanoTime());
        start(client);
      }
      if (running.get() == 0 && System.nanoTime() - lastActivity.get() >= idle.toNanos()) {
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
        serve(client);
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

  private void serve(SocketChannel client) throws IOException {
    UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
    if (!peer.user().equals(user)) {
      return; // the socket's directory already keeps other users out
    }
    DaemonReply reply = new DaemonReply(client);
    DaemonRequest request;
    try {
      request = DaemonRequest.parse(readRequest(client));
    } catch (IllegalArgumentException e) {
      reply.fallback("bad request: " + e.getMessage());
      return;
    }
    String refusal = refusal(request);
    if (refusal != null) {
      // The log (SOCKET.log) says why a client's command ran in a JVM of its own.
      System.err.println("ulp daemon: process " + request.pid() + " runs its command itself: " + refusal);
      reply.fallback(refusal);
      return;
    }
    if (!reply.accepted()) {
      return; // the client gave up waiting (ulp-client fails then, and never runs the command itself)
    }
    int code;
    CommandLine cli = Ulp.commandLine(request.args(), request.invocation());
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
    reply.exit(code);
  }

  /** Why the daemon does not run this request itself, or null if it does. */
  private String refusal(DaemonRequest request) {
    if (!request.identity().equals(identity)) {
      return "another identity (" + request.identity() + "; the daemon's: " + identity + ")";
    }
    List<Class<?>> verbs = Ulp.namedVerbs(request.args());
    if (verbs.size() != 1 || !RESIDENT_VERBS.contains(verbs.get(0))) {
      return "not one verb that works on processes";
    }
    return null;
  }

  /** The request's body, read within {@link #REQUEST_TIME}: a client that sends nothing cannot hold a thread. */
  private static byte[] readRequest(SocketChannel client) throws IOException {
    client.configureBlocking(false);
    long deadline = System.nanoTime() + REQUEST_TIME.toNanos();
    try (Selector selector = Selector.open()) {
      client.register(selector, SelectionKey.OP_READ);
      ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      fill(client, selector, length, deadline);
      int size = length.flip().getInt();
      if (size < 0 || size > DaemonRequest.MAX_BYTES) {
        throw new IllegalArgumentException("a request of " + size + " bytes");
      }
      ByteBuffer body = ByteBuffer.allocate(size);
      fill(client, selector, body, deadline);
      return body.array();
    } finally {
      client.configureBlocking(true); // the selector, closed first, has let the channel go
    }
  }

  private static void fill(SocketChannel client, Selector selector, ByteBuffer buffer, long deadline)
      throws IOException {
    while (buffer.hasRemaining()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalArgumentException("no request within " + REQUEST_TIME.toSeconds() + " s");
      }
      selector.select(Math.max(1, left / 1_000_000));
      selector.selectedKeys().clear();
      if (client.read(buffer) < 0) {
        throw new IllegalArgumentException("the client closed the connection");
      }
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
