package io.kulp.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.api.StagedPatchName;
import io.kulp.host.HostPaths;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging into real docker containers through /proc/PID/root: the file lands where the process
 * sees it, noexec and read-only mounts are passed over, and links planted by the container never
 * lead the (host-root) agent out of the container.
 */
class NativeContainerFilesIT {
  private static final byte[] BYTES = "not really a patch".getBytes();
  private static final String NAME = StagedPatchName.of("0".repeat(64));
  private static ScratchImage image;

  private final ContainerFiles files = new NativeContainerFiles(HostPaths.system());

  @TempDir
  Path hostDir;

  @BeforeAll
  static void buildImage() {
    image = ScratchImage.builder("staging")
        .add(Fixtures.fixture("kfix-driver"), "/usr/bin/kfix-driver")
        .add(Fixtures.library(), "/usr/bin/libkfix.so.1")
        .directory("/tmp")
        .directory("/var/tmp")
        .build();
  }

  @AfterAll
  static void removeImage() {
    if (image != null) {
      image.close();
    }
  }

  private static FixtureContainer start(String... options) {
    FixtureContainer.Builder b = FixtureContainer.builder(image).command("/usr/bin/kfix-driver");
    for (String option : options) {
      b.dockerOption(option);
    }
    FixtureContainer c = b.start();
    c.awaitLine(line -> line.startsWith("ready"));
    return c;
  }

  private static Path inContainer(FixtureContainer c, String path) {
    return Path.of("/proc", Integer.toString(c.hostPid()), "root", path.substring(1));
  }

  @Test
  void stagesAReadOnlyFileWhereTheProcessSeesItAndRemovesIt() throws Exception {
    try (FixtureContainer c = start()) {
      String path = files.stage(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp"), NAME, BYTES);

      assertThat(path).isEqualTo("/tmp/.kulp/" + NAME);
      assertThat(inContainer(c, path)).hasBinaryContent(BYTES);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(inContainer(c, path))))
          .isEqualTo("r--r--r--");
      assertThat(Path.of(path)).doesNotExist();

      files.remove(c.hostPid(), path);
      assertThat(inContainer(c, path)).doesNotExist();
      files.remove(c.hostPid(), path); // absent is fine
    }
  }

  @Test
  void passesOverANoexecMountForTheNextDirectory() throws Exception {
    try (FixtureContainer c = start("--tmpfs=/tmp:rw,noexec")) {
      String path = files.stage(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp"), NAME, BYTES);

      assertThat(path).isEqualTo("/var/tmp/.kulp/" + NAME);
      assertThat(inContainer(c, "/tmp/.kulp")).doesNotExist();
    }
  }

  @Test
  void saysWhyNoDirectoryIsUsableOnAReadOnlyRootWithANoexecTmp() {
    try (FixtureContainer c = start("--read-only", "--tmpfs=/tmp:rw,noexec")) {
      assertThatThrownBy(() -> files.stage(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp", "/nope/.kulp"),
          NAME, BYTES)).isInstanceOf(StagingException.class)
          .hasMessageContaining("/tmp/.kulp: noexec mount")
          .hasMessageContaining("/var/tmp/.kulp: read-only mount")
          .hasMessageContaining("/nope/.kulp: its parent does not exist")
          .hasMessageContaining("KULP_STAGING_DIRS");
    }
  }

  @Test
  void aLinkPlantedAsTheStagingDirectoryIsRefusedAndTheHostTargetStaysEmpty() throws Exception {
    try (FixtureContainer c = start()) {
      Files.createSymbolicLink(inContainer(c, "/tmp/.kulp"), hostDir.toAbsolutePath());

      assertThatThrownBy(() -> files.stage(c.hostPid(), List.of("/tmp/.kulp"), NAME, BYTES))
          .isInstanceOf(StagingException.class);
      try (var entries = Files.list(hostDir)) {
        assertThat(entries).isEmpty();
      }
    }
  }

  @Test
  void aLinkPlantedAsAParentResolvesInsideTheContainerNotOnTheHost() throws Exception {
    try (FixtureContainer c = start()) {
      Files.delete(inContainer(c, "/var/tmp"));
      Files.createSymbolicLink(inContainer(c, "/var/tmp"), hostDir.toAbsolutePath());
      Files.createDirectories(inContainer(c, hostDir.toAbsolutePath().toString()));

      String path = files.stage(c.hostPid(), List.of("/var/tmp/.kulp"), NAME, BYTES);

      assertThat(inContainer(c, hostDir.toAbsolutePath() + "/.kulp/" + NAME)).hasBinaryContent(BYTES);
      assertThat(path).isEqualTo("/var/tmp/.kulp/" + NAME);
      try (var entries = Files.list(hostDir)) {
        assertThat(entries).isEmpty();
      }
    }
  }
}
