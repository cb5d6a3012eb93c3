package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.api.StagedPatchName;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.DockerCli;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Onboarding a workload that knows nothing of kulp: its image holds kfix-driver and its library
 * only (no libpulp.so, no LD_PRELOAD), its root file system is read-only, and its namespace is
 * labelled kulp.io/inject=enabled. The packaged operator, started as deploy/ starts it (with its
 * ServiceAccount's rights) and the runtime image built from deploy/images/runtime, injects the pod
 * created through the API server; the pod is then run as a kubelet would (init container first,
 * emptyDirs), and a LivePatch changes the running process.
 */
class RuntimeInjectionE2E {
  private static final String NODE = "e2e-onboard";
  private static final String NAMESPACE = "onboard";

  private static String runtimeImage;
  private static E2EEnvironment env;
  private static ScratchImage workloadImage;

  @BeforeAll
  static void buildTheRuntimeImageAndStartKulp() throws IOException {
    runtimeImage = buildRuntimeImage(Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    env = E2EEnvironment.start(Map.of(KulpConstants.ENV_RUNTIME_IMAGE, runtimeImage,
        KulpConstants.ENV_WEBHOOK_PORT, Integer.toString(port)), NODE);
    var configs = env.client().admissionRegistration().v1().mutatingWebhookConfigurations();
    // the operator generates its certificate and fills in the caBundle of deploy/'s configuration...
    await("the operator fills in the caBundle").atMost(Duration.ofSeconds(60))
        .until(() -> configs.withName("kulp-runtime-injection").get().getWebhooks().stream()
            .allMatch(w -> w.getClientConfig().getCaBundle() != null), ok -> ok);
    // ...which calls the Service; here the operator runs on this host
    configs.withName("kulp-runtime-injection").edit(c -> {
      c.getWebhooks().forEach(w -> {
        w.getClientConfig().setService(null);
        w.getClientConfig().setUrl("https://127.0.0.1:" + port + "/inject-runtime");
      });
      return c;
    });
    env.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .addToLabels(KulpConstants.LABEL_INJECT, KulpConstants.INJECT_ENABLED)
        .addToLabels("pod-security.kubernetes.io/enforce", "baseline").endMetadata().build()).create();
    workloadImage = ScratchImage.builder("e2e-unprepared")
        .add(Fixtures.fixture("kfix-driver"), KfixWorkload.DRIVER)
        .add(Fixtures.library(), "/usr/bin/libkfix.so.1")
        // what every glibc image has, though kfix-driver does not need them (libpulp.so does, by name)
        .add(Path.of("/lib/x86_64-linux-gnu/libdl.so.2"), "/lib/x86_64-linux-gnu/libdl.so.2")
        .add(Path.of("/lib/x86_64-linux-gnu/libpthread.so.0"), "/lib/x86_64-linux-gnu/libpthread.so.0")
        .build();
  }

  @AfterAll
  static void stopEverything() {
    if (workloadImage != null) {
      workloadImage.close();
    }
    if (env != null) {
      env.close();
    }
    if (runtimeImage != null) {
      DockerCli.run("rmi", "--force", runtimeImage);
    }
  }

  /** deploy/images/runtime/Dockerfile on a context of the files it copies; nothing is pulled (FROM scratch). */
  private static String buildRuntimeImage(Path repo) throws IOException {
    Path context = Files.createTempDirectory("kulp-runtime-image");
    try {
      for (String file : List.of("libpulp.so", "kulp-install")) {
        Path to = context.resolve("runtime-c/target/image").resolve(file);
        Files.createDirectories(to.getParent());
        Files.copy(repo.resolve("runtime-c/target/image").resolve(file), to, StandardCopyOption.COPY_ATTRIBUTES);
      }
      String reference = "kulp-test-runtime:" + UUID.randomUUID().toString().substring(0, 8);
      DockerCli.run("build", "--quiet", "--label", DockerCli.TEST_LABEL + "=true", "-f",
          repo.resolve("deploy/images/runtime/Dockerfile").toString(), "-t", reference, context.toString());
      return reference;
    } finally {
      for (Path p : List.of(context.resolve("runtime-c/target/image/libpulp.so"),
          context.resolve("runtime-c/target/image/kulp-install"), context.resolve("runtime-c/target/image"),
          context.resolve("runtime-c/target"), context.resolve("runtime-c"), context)) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void theRuntimeImageHoldsTheRuntimeAndTheCopierOnlyWithItsVersion() {
    String id = DockerCli.run("create", runtimeImage).trim();
    try {
      Process export = new ProcessBuilder("sh", "-c", "docker export " + id + " | tar -tvf -").start();
      List<String> files = new String(export.getInputStream().readAllBytes()).lines()
          .filter(l -> l.startsWith("-")).map(l -> l.substring(l.lastIndexOf(' ') + 1))
          // docker's own, in every container
          .filter(f -> !f.equals(".dockerenv") && !f.startsWith("etc/") && !f.startsWith("dev/"))
          .toList();
      assertThat(files).containsExactlyInAnyOrder("kulp-install", "libpulp.so");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      DockerCli.run("rm", id);
    }
    assertThat(DockerCli.run("image", "inspect", "--format",
        "{{index .Config.Labels \"io.kulp.runtime.version\"}} {{.Config.User}}", runtimeImage).trim())
        .isEqualTo("0.1.0 65532:65532");
  }

  @Test
  void aLabelledWorkloadNeverBuiltForKulpIsLivePatchedAfterOneStart() throws Exception {
    Pod submitted = new PodBuilder().withNewMetadata().withName("shop-1").withNamespace(NAMESPACE)
        .addToLabels("app", "onboard").endMetadata()
        .withNewSpec().withNodeName(NODE).addNewContainer().withName("app").withImage("shop/app:1")
        .withNewSecurityContext().withReadOnlyRootFilesystem(true).endSecurityContext().endContainer().endSpec()
        .build();
    // the API server's view of the webhook configuration follows a change within a moment
    await("the webhook injects").atMost(Duration.ofSeconds(30)).until(() -> env.client().resource(submitted)
        .dryRun().create().getMetadata().getAnnotations(), a -> a != null && a.containsKey(KulpConstants.ANNOTATION_INJECTED));
    Pod pod = env.client().resource(submitted).create();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(KulpConstants.ANNOTATION_INJECTED, "app");

    try (InjectedPod kubelet = new InjectedPod(pod)) {
      assertThat(kubelet.runInitContainers()).contains("kulp-install: /kulp/runtime/libpulp.so, sticky /kulp/staging");
      FixtureContainer.Builder b = FixtureContainer.builder(workloadImage).command(KfixWorkload.DRIVER);
      kubelet.env("app").forEach(b::env);
      kubelet.options("app").forEach(b::dockerOption);
      assertThat(kubelet.env("app")).containsEntry("LD_PRELOAD", "/kulp/runtime/libpulp.so");
      assertThat(kubelet.options("app")).contains("--read-only");
      try (FixtureContainer app = b.start()) {
        app.awaitLine(line -> line.startsWith("ready"));
        running(pod, app);
        assertThat(KfixWorkload.value(app)).isEqualTo(1);

        E2ELivePatches livePatches = new E2ELivePatches(env.client());
        String sha = livePatches.configMap("onboard-v2", Fixtures.patch("value_v2"));
        livePatches.create(E2ELivePatches.livePatch("onboard", "onboard", Action.Apply, Mode.OneShot, "onboard-v2", sha));
        livePatches.awaitCondition("onboard", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

        assertThat(KfixWorkload.value(app)).isEqualTo(2);
        var records = env.client().resources(io.kulp.api.v1alpha1.LivePatchNode.class)
            .withLabel(KulpConstants.LABEL_LIVEPATCH, "onboard").list().getItems().get(0).getStatus().records;
        assertThat(records).extracting(r -> r.hostPID, r -> r.result)
            .containsExactly(org.assertj.core.groups.Tuple.tuple((long) app.hostPid(), ProcessResult.Applied));
        // staged in the injected staging emptyDir, the root file system being read-only
        assertThat(kubelet.emptyDir("kulp-staging").resolve(".kulp").resolve(StagedPatchName.of(sha))).exists();

        livePatches.delete("onboard");
        livePatches.awaitGone("onboard");
        assertThat(KfixWorkload.value(app)).isEqualTo(1);
      }
    }
  }

  @Test
  void aProcessOfAnInjectedPodStartedWithoutItsEnvironmentIsSkippedWithThatReason() throws Exception {
    Pod pod = env.client().resource(new PodBuilder().withNewMetadata().withName("bare-1").withNamespace(NAMESPACE)
        .addToLabels("app", "bare").endMetadata()
        .withNewSpec().withNodeName(NODE).addNewContainer().withName("app").withImage("shop/app:1").endContainer()
        .endSpec().build()).create();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(KulpConstants.ANNOTATION_INJECTED, "app");

    try (InjectedPod kubelet = new InjectedPod(pod)) {
      kubelet.runInitContainers();
      // as an entrypoint that clears the environment would start it: everything but LD_PRELOAD
      FixtureContainer.Builder b = FixtureContainer.builder(workloadImage).command(KfixWorkload.DRIVER);
      kubelet.env("app").entrySet().stream().filter(e -> !e.getKey().equals("LD_PRELOAD"))
          .forEach(e -> b.env(e.getKey(), e.getValue()));
      kubelet.options("app").forEach(b::dockerOption);
      try (FixtureContainer app = b.start()) {
        app.awaitLine(line -> line.startsWith("ready"));
        running(pod, app);

        E2ELivePatches livePatches = new E2ELivePatches(env.client());
        String sha = livePatches.configMap("bare-v2", Fixtures.patch("value_v2"));
        livePatches.create(E2ELivePatches.livePatch("bare", "bare", Action.Apply, Mode.OneShot, "bare-v2", sha));
        livePatches.awaitCondition("bare", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

        var records = env.client().resources(io.kulp.api.v1alpha1.LivePatchNode.class)
            .withLabel(KulpConstants.LABEL_LIVEPATCH, "bare").list().getItems().get(0).getStatus().records;
        assertThat(records).extracting(r -> r.hostPID, r -> r.result).containsExactly(
            org.assertj.core.groups.Tuple.tuple((long) app.hostPid(), ProcessResult.Skipped));
        assertThat(records.get(0).reason).startsWith("libpulp.so is not loaded in process " + app.hostPid()
            + ", though kulp injected its container");
        assertThat(KfixWorkload.value(app)).isEqualTo(1);
        livePatches.delete("bare");
        livePatches.awaitGone("bare");
      }
    }
  }

  /** What the kubelet reports once the container runs: its docker ID. */
  private static void running(Pod pod, FixtureContainer app) {
    Pod current = env.client().pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).get();
    current.setStatus(new PodStatusBuilder().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
        .withName("app").withImage("shop/app:1").withImageID("sha256:" + "0".repeat(64)).withReady(true)
        .withStarted(true).withRestartCount(0).withContainerID(app.containerId()).build()).build());
    env.client().resource(current).updateStatus();
  }
}
