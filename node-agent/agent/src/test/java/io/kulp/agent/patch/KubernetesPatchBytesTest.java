package io.kulp.agent.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kulp.api.v1alpha1.PatchSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Downloads from hostile patch servers on 127.0.0.1 (plain sockets, no HTTP library): one that
 * stops sending in the middle of the body, one that never answers, one that redirects, and ones
 * that send more than the size limit. Each download ends within its deadline with a reason.
 */
@Timeout(30)
class KubernetesPatchBytesTest {
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final int MAX = 1 << 20;

  private final KubernetesPatchBytes bytes = new KubernetesPatchBytes(null, DEADLINE, MAX);
  private final AtomicBoolean clientGone = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private ServerSocket server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  /** What the server does with one accepted connection, after reading the request's head. */
  private interface Conduct {
    void on(OutputStream out) throws Exception;
  }

  /** Serves one connection with {@code conduct}; the URL to fetch. */
  private String serve(Conduct conduct) throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        in.read(new byte[8192]); // the request's head: one small GET
        conduct.on(s.getOutputStream());
        // stalled: hold the connection until the client closes it
        s.setSoTimeout(25_000);
        while (in.read() >= 0) {
          // nothing is expected
        }
        clientGone.set(true);
      } catch (Exception e) {
        clientGone.set(true);
      }
    }, "hostile-patch-server");
    t.setDaemon(true);
    t.start();
    return "http://127.0.0.1:" + server.getLocalPort() + "/patch.so";
  }

  private static void head(OutputStream out, String head) throws IOException {
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static PatchSource url(String url) {
    PatchSource s = new PatchSource();
    s.url = url;
    return s;
  }

  @Test
  void aServerThatStopsSendingInTheMiddleOfTheBodyFailsTheFetchAtTheDeadline() throws Exception {
    String url = serve(out -> {
      head(out, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
      out.write(new byte[1000]);
      out.flush();
    });
    long start = System.nanoTime();

    assertThatThrownBy(() -> bytes.fetch(url(url), new ByteArrayOutputStream())).isInstanceOf(PatchRefused.class)
        .hasMessage("cannot download " + url + ": not complete within 2 s (1000 bytes of the body received)");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(DEADLINE, DEADLINE.plusSeconds(2));
    await().atMost(Duration.ofSeconds(5)).untilTrue(clientGone); // the connection is closed, not left open
  }

  @Test
  void aServerThatNeverAnswersFailsTheFetchAtTheDeadline() throws Exception {
    String url = serve(out -> {});
    long start = System.nanoTime();

    assertThatThrownBy(() -> bytes.fetch(url(url), new ByteArrayOutputStream())).isInstanceOf(PatchRefused.class)
        .hasMessageStartingWith("cannot download " + url + ": ").hasMessageContaining("within 2 s");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE.plusSeconds(2));
  }

  @Test
  void aRedirectIsNotFollowed() throws Exception {
    String url = serve(out -> head(out, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere.so\r\n"
        + "Content-Length: 0\r\n\r\n"));

    assertThatThrownBy(() -> bytes.fetch(url(url), new ByteArrayOutputStream())).isInstanceOf(PatchRefused.class)
        .hasMessage("GET " + url + " answered 302, a redirect to http://127.0.0.1:1/elsewhere.so: the agent follows"
            + " no redirect; name the patch's own URL in spec.patch.url");
  }

  @Test
  void aBodyLargerThanTheLimitIsGivenUpAtTheLimitNotHeld() throws Exception {
    String url = serve(out -> {
      head(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"); // no length: until the server closes
      byte[] chunk = new byte[64 << 10];
      while (sent.get() < 64L * MAX) {
        out.write(chunk);
        sent.addAndGet(chunk.length);
      }
    });
    CountingSink written = new CountingSink();

    assertThatThrownBy(() -> bytes.fetch(url(url), written)).isInstanceOf(PatchRefused.class)
        .hasMessage(url + " is refused: it is larger than " + MAX + " bytes");

    assertThat(written.count).isLessThanOrEqualTo(MAX);
    await().atMost(Duration.ofSeconds(5)).untilTrue(clientGone);
    assertThat(sent.get()).isLessThan(8L * MAX); // the client stopped reading
  }

  @Test
  void aBodyAnnouncedLargerThanTheLimitIsRefusedBeforeItIsRead() throws Exception {
    String url = serve(out -> head(out, "HTTP/1.1 200 OK\r\nContent-Length: " + (MAX + 1) + "\r\n\r\n"));
    CountingSink written = new CountingSink();

    assertThatThrownBy(() -> bytes.fetch(url(url), written)).isInstanceOf(PatchRefused.class)
        .hasMessage(url + " is refused: it is " + (MAX + 1) + " bytes long, more than " + MAX);
    assertThat(written.count).isZero();
  }

  @Test
  void aCompleteAnswerIsWrittenOut() throws Exception {
    String url = serve(out -> {
      head(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
      out.write("patch".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    });
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    bytes.fetch(url(url), out);

    assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("patch");
  }

  /** An output that only counts. */
  private static final class CountingSink extends OutputStream {
    volatile long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
