package io.kulp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container smoke test: real docker containers, found from the host by their container ID the
 * way the agent finds a pod's containers. The fixture program and the preloaded probe library are
 * compiled from {@code src/test/resources/container-smoke/}.
 */
class ContainerProcessesIT {
  private static final String FIXTURE = "/usr/bin/fixture";
  private static final String PROBE = "/usr/lib/kulp/libprobe.so";
  private static final String MARKER = "/etc/kulp-smoke-marker";
  private static final String MARKER_TEXT = "image built for this run: " + UUID.randomUUID();

  private static ScratchImage image;
  private final ContainerProcesses containerProcesses = new HostContainerProcesses(HostPaths.system());

  @BeforeAll
  static void buildImage() throws Exception {
    Path out = Files.createDirectories(Path.of("target/container-smoke"));
    Path fixture = gcc(out.resolve("fixture"), "fixture.c");
    Path probe = gcc(out.resolve("libprobe.so"), "probe.c", "-shared", "-fPIC");
    image = ScratchImage.builder("container-smoke")
        .add(fixture, FIXTURE)
        .add(probe, PROBE)
        // pthread_exit unwinds the thread with libgcc_s, which it loads then: not an ldd dependency.
        .add(Path.of("/lib/x86_64-linux-gnu/libgcc_s.so.1"), "/lib/x86_64-linux-gnu/libgcc_s.so.1")
        .text(MARKER, MARKER_TEXT)
        .directory("/tmp")
        .build();
  }

  @AfterAll
  static void removeImage() {
    if (image != null) {
      image.close();
    }
  }

  @Test
  void mapsADockerContainerIdToItsHostPidThroughTheContainersCgroupDirectory() throws IOException {
    try (FixtureContainer container = start()) {
      ContainerId id = ContainerId.parse(container.containerId());

      assertThat(new CgroupFs(HostPaths.system()).findContainerDir(id)).isPresent();
      assertThat(containerProcesses.find(id)).extracting(ContainerProcess::hostPid).containsExactly(container.hostPid());
    }
  }

  @Test
  void findsTheSameProcessesByScanningProcCgroup() throws IOException {
    try (FixtureContainer container = start()) {
      container.send("fork");
      int childInContainer = number(container.awaitLine(line -> line.startsWith("child ")));
      ContainerId id = ContainerId.parse(container.containerId());

      List<Integer> hostPids = containerProcesses.find(id).stream().map(ContainerProcess::hostPid).toList();

      assertThat(hostPids).hasSize(2).contains(container.hostPid());
      assertThat(new ProcCgroupScan(new ProcFs(HostPaths.system())).pidsOf(id)).containsExactlyElementsOf(hostPids);
      assertThat(childInContainer).isNotIn(hostPids);
    }
  }

  @Test
  void aContainerWhoseMainThreadHasExitedIsFoundByScanningProcCgroupToo() throws IOException {
    try (FixtureContainer container = start()) {
      ContainerId id = ContainerId.parse(container.containerId());
      Path own = HostPaths.system().proc(container.hostPid());
      container.send("leave");
      container.awaitLine(line -> line.equals("left"));
      await("the main thread exited").until(() -> ProcessEntry.exiting(own, container.hostPid()));

      try {
        assertThat(new ProcCgroupScan(new ProcFs(HostPaths.system())).pidsOf(id)).containsExactly(container.hostPid());
        assertThat(containerProcesses.find(id)).extracting(ContainerProcess::hostPid)
            .containsExactly(container.hostPid());
      } finally {
        container.send("exit"); // docker cannot remove a container whose first process is a zombie
      }
    }
  }

  @Test
  void nspidGivesThePidThatTheProgramSeesInsideTheContainer() throws IOException {
    try (FixtureContainer container = start()) {
      container.send("pid");
      int mainInContainer = number(container.awaitLine(line -> line.startsWith("pid ")));
      container.send("fork");
      int childInContainer = number(container.awaitLine(line -> line.startsWith("child ")));

      List<ContainerProcess> processes = containerProcesses.find(ContainerId.parse(container.containerId()));

      assertThat(processes).extracting(ContainerProcess::containerPid)
          .containsExactlyInAnyOrder(mainInContainer, childInContainer);
      assertThat(processes).filteredOn(process -> process.hostPid() == container.hostPid())
          .extracting(ContainerProcess::containerPid).containsExactly(mainInContainer);
    }
  }

  @Test
  void procPidRootIsTheContainersFilesystem() throws IOException {
    try (FixtureContainer container = start()) {
      ContainerProcess process = containerProcesses.find(ContainerId.parse(container.containerId())).get(0);
      Path root = HostPaths.system().proc(process.hostPid()).resolve("root");
      container.send("write /tmp/written-by-fixture");
      container.awaitLine(line -> line.equals("wrote /tmp/written-by-fixture"));

      assertThat(root.resolve(MARKER.substring(1))).hasContent(MARKER_TEXT);
      assertThat(Path.of(MARKER)).doesNotExist();
      assertThat(root.resolve("tmp/written-by-fixture")).hasContent("written inside the container");
      assertThat(root.resolve("usr/bin/fixture")).exists();
    }
  }

  @Test
  void thePreloadedLibraryIsMappedIntoTheContainersProcess() throws IOException {
    try (FixtureContainer container = start()) {
      ContainerProcess process = containerProcesses.find(ContainerId.parse(container.containerId())).get(0);

      assertThat(container.output()).contains("probe loaded in " + process.containerPid());
      assertThat(Files.readString(HostPaths.system().proc(process.hostPid()).resolve("maps"))).contains(PROBE);
    }
  }

  @Test
  void aRemovedContainerLeavesNoProcessBehind() throws IOException {
    ContainerId id;
    ContainerProcess process;
    try (FixtureContainer container = start()) {
      id = ContainerId.parse(container.containerId());
      process = containerProcesses.find(id).get(0);
      assertThat(containerProcesses.isRunning(process)).isTrue();
    }

    assertThat(containerProcesses.find(id)).isEmpty();
    assertThat(containerProcesses.isRunning(process)).isFalse();
  }

  /** A fixture container that has printed "ready": its process runs and reads commands. */
  private static FixtureContainer start() {
    FixtureContainer container = FixtureContainer.builder(image).preload(PROBE).command(FIXTURE).start();
    try {
      container.awaitLine(line -> line.equals("ready"));
      return container;
    } catch (RuntimeException | AssertionError e) {
      container.close();
      throw e;
    }
  }

  private static int number(String line) {
    return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
  }

  private static Path gcc(Path output, String source, String... flags) throws IOException, InterruptedException, URISyntaxException {
    Path sourcePath = Path.of(ContainerProcessesIT.class.getResource("/container-smoke/" + source).toURI());
    List<String> command = new ArrayList<>(List.of("gcc", "-O1", "-Wall", "-Werror", "-o", output.toString()));
    command.addAll(List.of(flags));
    command.add(sourcePath.toString());
    Process gcc = new ProcessBuilder(command).inheritIO().start();
    assertThat(gcc.waitFor()).as("exit code of %s", command).isZero();
    return output;
  }
}
