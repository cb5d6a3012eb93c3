package io.kulp.agent.patch;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.api.v1alpha1.ConfigMapKeyReference;
import io.kulp.api.v1alpha1.PatchSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a patch from a ConfigMap's {@code binaryData} through the API server, or downloads it
 * from its URL (https, or http on loopback as the CRD allows). A download has {@link #DEADLINE}
 * in all, from connecting to the last byte, follows no redirect (the URL the LivePatch names is
 * the one read), and is written out as it arrives: files larger than {@link #MAX_BYTES} are given
 * up at that size, or at once when the server announces more.
 */
public final class KubernetesPatchBytes implements PatchBytes {
  /** A live patch is a small shared object; this bounds what a source can make the agent write. */
  public static final int MAX_BYTES = 64 << 20;
  /** The longest a download may take, connecting and every byte of the body included. */
  public static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Duration CONNECT = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final HttpClient http;
  private final Duration deadline;
  private final long maxBytes;

  public KubernetesPatchBytes(KubernetesClient client) {
    this(client, DEADLINE, MAX_BYTES);
  }

  KubernetesPatchBytes(KubernetesClient client, Duration deadline, long maxBytes) {
    this.client = client;
    this.deadline = deadline;
    this.maxBytes = maxBytes;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT.compareTo(deadline) < 0 ? CONNECT : deadline)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public void fetch(PatchSource source, OutputStream out) throws PatchRefused {
    if (source == null || (source.configMapRef == null) == (source.url == null)) {
      throw new PatchRefused("fetch", "spec.patch must name exactly one source: configMapRef or url");
    }
    if (source.configMapRef != null) {
      fromConfigMap(source.configMapRef, out);
    } else {
      fromUrl(source.url, out);
    }
  }

  private void fromConfigMap(ConfigMapKeyReference ref, OutputStream out) throws PatchRefused {
    String where = "ConfigMap " + ref.namespace + "/" + ref.name;
    ConfigMap cm;
    try {
      cm = client.configMaps().inNamespace(ref.namespace).withName(ref.name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new PatchRefused("fetch", "the kulp agent may not read " + where + ": keep patches in namespace "
            + "kulp-patches, or grant the agent get on configmaps in " + ref.namespace
            + " (docs/operations.md, \"Where patches are kept\")");
      }
      throw new PatchRefused("fetch", "cannot read " + where + ": " + e.getMessage());
    }
    if (cm == null) {
      throw new PatchRefused("fetch", where + " does not exist");
    }
    String data = cm.getBinaryData() == null ? null : cm.getBinaryData().get(ref.key);
    if (data == null) {
      throw new PatchRefused("fetch", where + " has no binaryData key '" + ref.key
          + "' (create it with kubectl create configmap --from-file, which puts binary files in binaryData)");
    }
    byte[] bytes = Base64.getDecoder().decode(data);
    if (bytes.length > maxBytes) {
      throw new PatchRefused("fetch", where + " key '" + ref.key + "' is larger than " + maxBytes + " bytes");
    }
    try {
      out.write(bytes);
    } catch (IOException e) {
      throw new PatchRefused("fetch", "cannot write the patch from " + where + ": " + e.getMessage());
    }
  }

  private void fromUrl(String url, OutputStream out) throws PatchRefused {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(url)).timeout(deadline).GET().build();
    } catch (IllegalArgumentException e) {
      throw new PatchRefused("fetch", "cannot download " + url + ": " + e.getMessage());
    }
    AtomicReference<CappedBody> body = new AtomicReference<>(); // set on the client's thread
    CompletableFuture<HttpResponse<Long>> response = http.sendAsync(request, info -> {
      if (info.statusCode() != 200) {
        return HttpResponse.BodySubscribers.replacing(-1L);
      }
      long announced = info.headers().firstValueAsLong("content-length").orElse(-1);
      body.set(new CappedBody(out, maxBytes, announced > maxBytes
          ? "it is " + announced + " bytes long, more than " + maxBytes : null));
      return body.get();
    });
    HttpResponse<Long> answer;
    try {
      answer = response.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      response.cancel(true); // closes the connection
      CappedBody started = body.get();
      throw new PatchRefused("fetch", "cannot download " + url + ": not complete within " + deadline.toSeconds()
          + " s (" + (started == null ? "no answer" : started.received() + " bytes of the body received") + ")");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CappedBody.TooLarge) {
        throw new PatchRefused("fetch", url + " is refused: " + cause.getMessage());
      }
      if (cause instanceof HttpTimeoutException) {
        throw new PatchRefused("fetch", "cannot download " + url + ": no answer within " + deadline.toSeconds() + " s");
      }
      throw new PatchRefused("fetch", "cannot download " + url + ": " + (cause.getMessage() != null
          ? cause.getMessage() : cause.getClass().getSimpleName()));
    } catch (InterruptedException e) {
      response.cancel(true);
      Thread.currentThread().interrupt();
      throw new PatchRefused("fetch", "interrupted while downloading " + url);
    }
    int status = answer.statusCode();
    if (status >= 300 && status < 400) {
      throw new PatchRefused("fetch", "GET " + url + " answered " + status + ", a redirect to "
          + answer.headers().firstValue("location").orElse("nowhere")
          + ": the agent follows no redirect; name the patch's own URL in spec.patch.url");
    }
    if (status != 200) {
      throw new PatchRefused("fetch", "GET " + url + " answered " + status);
    }
  }
}
