package io.kulp.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The workload of the end-to-end tests: kfix-driver (the C fixture that prints {@code value=N})
 * in real docker containers built FROM scratch, with {@code LD_PRELOAD=libpulp.so}, no network,
 * and for each a Pod object in the API server bound to a node and reporting the container's real
 * ID ({@code docker://<id>}) in its status, which is what a kubelet would write.
 */
final class KfixWorkload implements AutoCloseable {
  static final String DRIVER = "/usr/bin/kfix-driver";
  static final String LIBPULP = "/usr/lib/kulp/libpulp.so";

  private final KubernetesClient client;
  private final List<FixtureContainer> containers = new ArrayList<>();
  private final List<ScratchImage> images = new ArrayList<>();

  KfixWorkload(KubernetesClient client) {
    this.client = client;
  }

  /** An image with the fixture program and {@code library} as its libkfix.so.1. */
  ScratchImage image(String name, Path library, Path... extraFiles) {
    return imageWithRuntime(name, library, Fixtures.libpulp(), extraFiles);
  }

  /** An image as above whose libpulp.so is {@code runtime} (for example the fake runtime). */
  ScratchImage imageWithRuntime(String name, Path library, Path runtime, Path... extraFiles) {
    ScratchImage.Builder b = ScratchImage.builder("e2e-" + name)
        .add(Fixtures.fixture("kfix-driver"), DRIVER)
        .add(library, "/usr/bin/libkfix.so.1")
        .add(runtime, LIBPULP)
        .directory("/tmp");
    for (Path extra : extraFiles) {
      b.add(extra, extra.toAbsolutePath().toString());
    }
    ScratchImage image = b.build();
    images.add(image);
    return image;
  }

  /** Starts a container of {@code image} with libpulp preloaded, and waits until the driver is ready. */
  FixtureContainer start(ScratchImage image, String... dockerOptions) {
    FixtureContainer.Builder b = FixtureContainer.builder(image).preload(LIBPULP).command(DRIVER);
    for (String option : dockerOptions) {
      b.dockerOption(option);
    }
    FixtureContainer c = b.start();
    containers.add(c);
    c.awaitLine(line -> line.startsWith("ready"));
    return c;
  }

  /** Starts a container of {@code image} with libpulp preloaded and {@code env}; waits until the driver is ready. */
  FixtureContainer start(ScratchImage image, Map<String, String> env) {
    FixtureContainer.Builder b = FixtureContainer.builder(image).preload(LIBPULP).command(DRIVER);
    env.forEach(b::env);
    FixtureContainer c = b.start();
    containers.add(c);
    c.awaitLine(line -> line.startsWith("ready"));
    return c;
  }

  /** Starts a container of {@code image} running {@code command} with libpulp preloaded; waits for {@code ready}. */
  FixtureContainer startCommand(ScratchImage image, String ready, String... command) {
    FixtureContainer c = FixtureContainer.builder(image).preload(LIBPULP).command(command).start();
    containers.add(c);
    c.awaitLine(line -> line.equals(ready));
    return c;
  }

  /** A Running pod on {@code node}, labelled app=&lt;app&gt;, whose container "app" is {@code container}. */
  Pod pod(String name, String node, String app, FixtureContainer container) {
    return pod(E2EEnvironment.NAMESPACE, name, node, app, container);
  }

  /** As above, in {@code namespace}. */
  Pod pod(String namespace, String name, String node, String app, FixtureContainer container) {
    Pod pod = create(namespace, name, node, app);
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
        .withName("app").withImage("kulp-e2e/kfix").withImageID("sha256:" + "0".repeat(64)).withReady(true)
        .withStarted(true).withRestartCount(0).withContainerID(container.containerId()).build()).build());
    return client.resource(pod).updateStatus();
  }

  /** A pod scheduled on {@code node} whose container has not started: no container ID yet. */
  Pod pendingPod(String name, String node, String app) {
    Pod pod = create(E2EEnvironment.NAMESPACE, name, node, app);
    pod.setStatus(new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
        .withName("app").withImage("kulp-e2e/kfix").withImageID("").withReady(false).withStarted(false)
        .withRestartCount(0).withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
        .build()).build());
    return client.resource(pod).updateStatus();
  }

  /** A pod with one container, "app", in {@code namespace} on {@code node}, labelled app={@code app}; no status yet. */
  private Pod create(String namespace, String name, String node, String app) {
    return client.resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .addToLabels("app", app).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("app").withImage("kulp-e2e/kfix").endContainer()
        .endSpec().build()).create();
  }

  /** Asks the driver for {@code value} and returns the number it prints. */
  static int value(FixtureContainer c) {
    c.send("value");
    String line = c.awaitLine(l -> l.startsWith("value="));
    return Integer.parseInt(line.substring("value=".length()));
  }

  @Override
  public void close() {
    containers.forEach(FixtureContainer::close);
    images.forEach(ScratchImage::close);
  }
}
