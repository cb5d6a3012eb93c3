package io.kulp.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.KulpConstants;
import io.kulp.operator.testing.KubeApiTestCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime-injection webhook behind a real kube-apiserver, configured by deploy/webhook's own
 * MutatingWebhookConfiguration (its clientConfig pointed at 127.0.0.1, where the webhook runs in
 * this JVM): pods created through the API come back injected, or not, by their labels. Two
 * replicas share the Secret; their certificates live 40 s, so they rotate during the test.
 */
class RuntimeInjectionIT {
  private static final Path REPO = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
  private static final String IMAGE = "kulp-runtime:it";
  private static final Duration VALIDITY = Duration.ofSeconds(40);
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static KubeApiTestCluster cluster;
  private static KubernetesClient client;
  private static RuntimeInjectionWebhook replicaA;
  private static RuntimeInjectionWebhook replicaB;

  @BeforeAll
  static void startApiServerAndWebhook() throws Exception {
    cluster = KubeApiTestCluster.start();
    client = cluster.client();
    namespace("shop", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED,
        "pod-security.kubernetes.io/enforce", "privileged"));
    namespace("plain", Map.of());
    namespace("closed", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_DISABLED));
    namespace("strict", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED,
        "pod-security.kubernetes.io/enforce", "restricted"));
    namespace("baseline", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED,
        "pod-security.kubernetes.io/enforce", "baseline"));
    replicaA = RuntimeInjectionWebhook.start(client, settings(), Clock.systemUTC());
    replicaB = RuntimeInjectionWebhook.start(cluster.newClient(), settings(), Clock.systemUTC());
    client.resource(webhookConfigAt("https://127.0.0.1:" + replicaA.port() + WebhookSettings.PATH)).create();
    assertThat(replicaA.refreshNow()).isTrue();
    assertThat(replicaB.refreshNow()).isTrue();
  }

  @AfterAll
  static void stop() throws IOException {
    for (var replica : new RuntimeInjectionWebhook[] {replicaA, replicaB}) {
      if (replica != null) {
        replica.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static WebhookSettings settings() {
    return new WebhookSettings(IMAGE, "kulp-system", Set.of("kulp-system", "kulp-patches"), "127.0.0.1", 0, true,
        WebhookSettings.SECRET, WebhookSettings.WEBHOOK_CONFIG, WebhookSettings.SERVICE, VALIDITY,
        Duration.ofSeconds(1));
  }

  private static void namespace(String name, Map<String, String> labels) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
        .endMetadata().build()).create();
  }

  /** deploy/webhook/mutatingwebhook.yaml as `kubectl apply -k deploy/` installs it, but calling {@code url}. */
  private static MutatingWebhookConfiguration webhookConfigAt(String url) throws IOException {
    var config = Serialization.unmarshal(Files.readString(REPO.resolve("deploy/webhook/mutatingwebhook.yaml")),
        MutatingWebhookConfiguration.class);
    for (MutatingWebhook w : config.getWebhooks()) {
      w.getClientConfig().setService(null);
      w.getClientConfig().setUrl(url);
    }
    return config;
  }

  private static Pod create(String namespace, Map<String, String> labels, Container... containers) {
    return client.resource(new PodBuilder().withNewMetadata().withName("p" + NAMES.incrementAndGet())
        .withNamespace(namespace).withLabels(labels).endMetadata().withNewSpec().withContainers(containers).endSpec()
        .build()).create();
  }

  private static Container app() {
    return new ContainerBuilder().withName("app").withImage("debian:12").build();
  }

  private static boolean injected(Pod pod) {
    return pod.getMetadata().getAnnotations() != null
        && pod.getMetadata().getAnnotations().containsKey(KulpConstants.ANNOTATION_INJECTED);
  }

  private static String ldPreload(Pod pod, String container) {
    return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container))
        .flatMap(c -> c.getEnv().stream()).filter(e -> e.getName().equals("LD_PRELOAD")).map(EnvVar::getValue)
        .findFirst().orElse(null);
  }

  @Test
  void podsComeBackInjectedOrNotAccordingToTheirLabelsAndTheirNamespaces() {
    Pod inLabelledNamespace = create("shop", Map.of(), app());
    Pod labelled = create("plain", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED), app());
    Pod unlabelled = create("plain", Map.of(), app());
    Pod optedOut = create("shop", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_DISABLED), app());
    Pod inClosedNamespace = create("closed", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED), app());
    Pod inKulpSystem = create("kulp-system", Map.of(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED), app());

    for (Pod pod : List.of(inLabelledNamespace, labelled)) {
      assertThat(injected(pod)).as(pod.getMetadata().getName()).isTrue();
      assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName, Container::getImage)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("kulp-runtime", IMAGE));
      assertThat(ldPreload(pod, "app")).isEqualTo("/kulp/runtime/libpulp.so");
      assertThat(pod.getMetadata().getAnnotations()).containsEntry(KulpConstants.ANNOTATION_INJECTED, "app");
    }
    for (Pod pod : List.of(unlabelled, optedOut, inClosedNamespace, inKulpSystem)) {
      assertThat(injected(pod)).as(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()).isFalse();
      assertThat(pod.getSpec().getInitContainers()).isEmpty();
      assertThat(ldPreload(pod, "app")).isNull();
    }
  }

  @Test
  void theContainersOwnLdPreloadIsKeptAndOneFromValueFromIsLeftAloneWithTheReason() {
    Pod pod = create("shop", Map.of(),
        new ContainerBuilder().withName("app").withImage("debian:12").addNewEnv().withName("LD_PRELOAD")
            .withValue("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2").endEnv().build(),
        new ContainerBuilder().withName("secret").withImage("debian:12").addNewEnv().withName("LD_PRELOAD")
            .withNewValueFrom().withNewConfigMapKeyRef("preload", "cm", true).endValueFrom().endEnv().build());

    assertThat(ldPreload(pod, "app")).isEqualTo("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2:/kulp/runtime/libpulp.so");
    assertThat(pod.getSpec().getContainers().get(1).getEnv().get(0).getValueFrom().getConfigMapKeyRef().getName())
        .isEqualTo("cm");
    assertThat(pod.getSpec().getContainers().get(1).getVolumeMounts()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(KulpConstants.ANNOTATION_INJECTED, "app");
    assertThat(pod.getMetadata().getAnnotations().get(KulpConstants.ANNOTATION_INJECT_SKIPPED))
        .startsWith("secret: its LD_PRELOAD comes from valueFrom");
  }

  @Test
  void aPodCreatedFromAnInjectedPodsSpecIsNotInjectedTwice() {
    Pod first = create("shop", Map.of(), app());
    Pod copy = new PodBuilder(first).editMetadata().withName("copy-" + NAMES.incrementAndGet()).withUid(null)
        .withResourceVersion(null).withCreationTimestamp(null).withManagedFields(List.of()).endMetadata()
        .withStatus(null).build();

    Pod second = client.resource(copy).create();

    assertThat(second.getSpec().getInitContainers()).hasSize(1);
    assertThat(second.getSpec().getVolumes()).extracting(v -> v.getName())
        .containsOnlyOnce("kulp-runtime", "kulp-staging");
    assertThat(ldPreload(second, "app")).isEqualTo("/kulp/runtime/libpulp.so");
    assertThat(second.getSpec().getContainers().get(0).getVolumeMounts())
        .isEqualTo(first.getSpec().getContainers().get(0).getVolumeMounts());
  }

  @Test
  void underPodSecurityRestrictedTheInitContainerIsNonRootAndThePodIsAdmitted() {
    Pod pod = create("strict", Map.of(), new ContainerBuilder(app()).withNewSecurityContext().withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext().build());

    assertThat(injected(pod)).isTrue();
    assertThat(pod.getSpec().getInitContainers().get(0).getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("kulp-runtime");
    // the API server does enforce the level here: a pod that may run as root is refused
    assertThatThrownBy(() -> create("strict", Map.of(), app())).isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("restricted");
  }

  @Test
  void underPodSecurityBaselineTheRootInitContainerThatMakesStagingStickyIsAdmitted() {
    Pod pod = create("baseline", Map.of(), app());

    assertThat(injected(pod)).isTrue();
    assertThat(pod.getSpec().getInitContainers().get(0).getSecurityContext().getRunAsUser()).isZero();
    assertThat(pod.getSpec().getInitContainers().get(0).getCommand()).contains("--sticky");
  }

  @Test
  void aWebhookThatIsDownOrHangsDoesNotBlockPodCreation() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (ServerSocket hanging = new ServerSocket(0)) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(hanging.accept()); // accepts, never answers
          }
        } catch (IOException closed) {
          // test over
        }
      });
      acceptor.start();
      for (int port : new int[] {closedPort, hanging.getLocalPort()}) {
        pointWebhookAt("https://127.0.0.1:" + port + WebhookSettings.PATH);
        try {
          long start = System.nanoTime();
          Pod pod = create("shop", Map.of(), app());
          assertThat(pod.getMetadata().getUid()).isNotBlank();
          assertThat(injected(pod)).isFalse();
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        } finally {
          pointWebhookAt("https://127.0.0.1:" + replicaA.port() + WebhookSettings.PATH);
        }
      }
      hanging.close();
      for (Socket s : held) {
        s.close();
      }
    }
    // and back up, it injects again
    await().atMost(Duration.ofSeconds(10)).until(() -> injected(create("shop", Map.of(), app())));
  }

  private static void pointWebhookAt(String url) {
    // The operator writes this configuration's CA bundle as certificates rotate: a write that
    // meets one of its writes (409 Conflict) is made again on the new version.
    await().atMost(Duration.ofSeconds(10)).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k
        && k.getCode() == 409).until(() -> {
          client.admissionRegistration().v1().mutatingWebhookConfigurations()
              .withName(WebhookSettings.WEBHOOK_CONFIG).edit(c -> {
                c.getWebhooks().forEach(w -> w.getClientConfig().setUrl(url));
                return c;
              });
          return true;
        });
  }

  @Test
  void certificatesRotateWhileTheApiServerKeepsTrustingBothReplicas() throws Exception {
    Set<String> servedCerts = new HashSet<>();
    String firstCert = secretText("tls.crt");
    Instant end = Instant.now().plus(VALIDITY);
    int pods = 0;
    while (Instant.now().isBefore(end) || servedCerts.size() < 2) {
      assertThat(Instant.now()).as("no rotation within two validities").isBefore(end.plus(VALIDITY));
      Pod pod = create("shop", Map.of(), app());
      assertThat(injected(pod)).as("pod %d, created at %s", pods++, Instant.now()).isTrue();
      // served first, then the bundle: a replica serves a certificate only once its CA is in the bundle
      X509Certificate servedByA = servedCertificate(replicaA.port());
      X509Certificate servedByB = servedCertificate(replicaB.port());
      String bundle = new String(Base64.getDecoder().decode(client.admissionRegistration().v1()
          .mutatingWebhookConfigurations().withName(WebhookSettings.WEBHOOK_CONFIG).get().getWebhooks().get(0)
          .getClientConfig().getCaBundle()), StandardCharsets.US_ASCII);
      for (X509Certificate served : List.of(servedByA, servedByB)) {
        assertThat(trusts(bundle, served)).as("the caBundle trusts the served certificate %s",
            served.getSerialNumber()).isTrue();
        servedCerts.add(served.getSerialNumber().toString());
      }
      Thread.sleep(500);
    }
    assertThat(secretText("tls.crt")).isNotEqualTo(firstCert);
    assertThat(servedCerts).hasSizeGreaterThanOrEqualTo(2);
  }

  private static String secretText(String key) {
    Secret secret = client.secrets().inNamespace("kulp-system").withName(WebhookSettings.SECRET).get();
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
  }

  private static boolean trusts(String bundle, X509Certificate cert) {
    for (X509Certificate ca : WebhookCertificate.certificates(bundle)) {
      try {
        cert.verify(ca.getPublicKey());
        cert.checkValidity();
        ca.checkValidity();
        return true;
      } catch (Exception e) {
        // not this CA
      }
    }
    return false;
  }

  private static X509Certificate servedCertificate(int port) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
