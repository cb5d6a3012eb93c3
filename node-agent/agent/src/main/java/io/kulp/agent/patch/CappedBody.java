package io.kulp.agent.patch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body written to a stream as it arrives, never held whole in memory, and given up
 * (the exchange cancelled) as soon as it exceeds a size. Its result is the number of bytes written.
 */
final class CappedBody implements HttpResponse.BodySubscriber<Long> {

  /** The body exceeded the size. */
  static final class TooLarge extends IOException {
    TooLarge(String message) {
      super(message);
    }
  }

  private final OutputStream out;
  private final long max;
  private final String tooLarge;
  private final CompletableFuture<Long> result = new CompletableFuture<>();
  private volatile long received;
  private Flow.Subscription subscription;

  /**
   * @param tooLarge if not null, the body is refused before a byte of it is read, with this message
   */
  CappedBody(OutputStream out, long max, String tooLarge) {
    this.out = out;
    this.max = max;
    this.tooLarge = tooLarge;
  }

  /** Bytes of the body received so far. */
  long received() {
    return received;
  }

  @Override
  public CompletionStage<Long> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (tooLarge != null) {
      fail(new TooLarge(tooLarge));
      return;
    }
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    try {
      for (ByteBuffer b : items) {
        received += b.remaining();
        if (received > max) {
          fail(new TooLarge("it is larger than " + max + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk);
      }
      subscription.request(1);
    } catch (IOException e) {
      fail(e);
    }
  }

  private void fail(IOException e) {
    subscription.cancel();
    result.completeExceptionally(e);
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(received);
  }
}
