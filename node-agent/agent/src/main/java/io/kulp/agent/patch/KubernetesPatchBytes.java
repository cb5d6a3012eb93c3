package io.kulp.agent.patch;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kulp.api.v1alpha1.ConfigMapKeyReference;
import io.kulp.api.v1alpha1.PatchSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

/**
 * Reads a patch from a ConfigMap's {@code binaryData} through the API server, or downloads it
 * from its URL (https, or http on loopback as the CRD allows). Files larger than
 * {@link #MAX_BYTES} are refused.
 */
public final class KubernetesPatchBytes implements PatchBytes {
  /** A live patch is a small shared object; this bounds what a URL can make the agent hold. */
  static final int MAX_BYTES = 64 << 20;

  private final KubernetesClient client;
  private final HttpClient http;

  public KubernetesPatchBytes(KubernetesClient client) {
    this.client = client;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  @Override
  public byte[] fetch(PatchSource source) throws PatchRefused {
    if (source == null || (source.configMapRef == null) == (source.url == null)) {
      throw new PatchRefused("fetch", "spec.patch must name exactly one source: configMapRef or url");
    }
    return source.configMapRef != null ? fromConfigMap(source.configMapRef) : fromUrl(source.url);
  }

  private byte[] fromConfigMap(ConfigMapKeyReference ref) throws PatchRefused {
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
    return Base64.getDecoder().decode(data);
  }

  private byte[] fromUrl(String url) throws PatchRefused {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build();
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new PatchRefused("fetch", "GET " + url + " answered " + response.statusCode());
        }
        byte[] bytes = body.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
          throw new PatchRefused("fetch", url + " is larger than " + MAX_BYTES + " bytes");
        }
        return bytes;
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new PatchRefused("fetch", "cannot download " + url + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PatchRefused("fetch", "interrupted while downloading " + url);
    }
  }
}
