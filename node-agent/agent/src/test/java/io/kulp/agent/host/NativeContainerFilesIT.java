package io.kulp.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.api.Sha256;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging into real docker containers through /proc/PID/root: the file lands where the process
 * sees it, noexec and read-only mounts are passed over, and links planted by the container never
 * lead the (host-root) agent out of the container. /tmp and /var/tmp are 1777, as in real images
 * (the agent refuses a world-writable staging parent without the sticky bit: HostileStagingIT);
 * the tests set that mode again on the directories they use, tmpfs mounts included.
 */
@Timeout(120)
class NativeContainerFilesIT {
  private static final byte[] BYTES = "not really a patch".getBytes();
  private static final String SHA = Sha256.of(BYTES);
  private static final String NAME = StagedPatchName.of(SHA);
  private static ScratchImage image;

  private final ContainerFiles files = new NativeContainerFiles(HostPaths.system());

  @TempDir
  Path hostDir;

  @TempDir
  Path cache;

  private Path source;

  @BeforeEach
  void writeSource() throws Exception {
    source = Files.write(cache.resolve(SHA + ".so"), BYTES);
  }

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

  /** Gives directories of the container the mode of a real /tmp: world-writable with the sticky bit. */
  static void sticky(FixtureContainer c, String... dirs) throws Exception {
    for (String dir : dirs) {
      Process chmod = new ProcessBuilder("chmod", "1777", inContainer(c, dir).toString()).inheritIO().start();
      assertThat(chmod.waitFor()).isZero();
    }
  }

  @Test
  void stagesAReadOnlyFileWhereTheProcessSeesItAndRemovesIt() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp", "/var/tmp");
      String path = files.stage(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp"), NAME, source, SHA);

      assertThat(path).isEqualTo("/tmp/.kulp/" + NAME);
      assertThat(inContainer(c, path)).hasBinaryContent(BYTES);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(inContainer(c, path))))
          .isEqualTo("r--r--r--");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(inContainer(c, "/tmp/.kulp"))))
          .isEqualTo("rwx--x--x");
      try (var entries = Files.list(inContainer(c, "/tmp/.kulp"))) {
        assertThat(entries).hasSize(1); // no temporary file left behind
      }
      assertThat(Path.of(path)).doesNotExist();
      assertThat(files.staged(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp"))).containsExactly(path);

      files.remove(c.hostPid(), path);
      assertThat(inContainer(c, path)).doesNotExist();
      files.remove(c.hostPid(), path); // absent is fine
    }
  }

  @Test
  void passesOverANoexecMountForTheNextDirectory() throws Exception {
    try (FixtureContainer c = start("--tmpfs=/tmp:rw,noexec")) {
      sticky(c, "/var/tmp");
      String path = files.stage(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp"), NAME, source, SHA);

      assertThat(path).isEqualTo("/var/tmp/.kulp/" + NAME);
      assertThat(inContainer(c, "/tmp/.kulp")).doesNotExist();
    }
  }

  @Test
  void saysWhyNoDirectoryIsUsableOnAReadOnlyRootWithANoexecTmp() {
    try (FixtureContainer c = start("--read-only", "--tmpfs=/tmp:rw,noexec")) {
      assertThatThrownBy(() -> files.stage(c.hostPid(), List.of("/tmp/.kulp", "/var/tmp/.kulp", "/nope/.kulp"),
          NAME, source, SHA)).isInstanceOf(StagingException.class)
          .hasMessageContaining("/tmp/.kulp: noexec mount")
          .hasMessageContaining("/var/tmp/.kulp: read-only mount")
          .hasMessageContaining("/nope/.kulp: its parent does not exist")
          .hasMessageContaining("KULP_STAGING_DIRS");
    }
  }

  @Test
  void aLinkPlantedAsTheStagingDirectoryIsPassedOverAndTheHostTargetStaysEmpty() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      Files.createSymbolicLink(inContainer(c, "/tmp/.kulp"), hostDir.toAbsolutePath());

      String path = files.stage(c.hostPid(), List.of("/tmp/.kulp"), NAME, source, SHA);

      assertThat(path).matches("/tmp/\\.kulp-[0-9a-f]{16}/" + NAME); // a directory of the agent's own instead
      assertThat(inContainer(c, path)).hasBinaryContent(BYTES);
      try (var entries = Files.list(hostDir)) {
        assertThat(entries).isEmpty();
      }
    }
  }

  @Test
  void aLinkPlantedAsAParentResolvesInsideTheContainerNotOnTheHost() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      Files.delete(inContainer(c, "/var/tmp"));
      Files.createSymbolicLink(inContainer(c, "/var/tmp"), hostDir.toAbsolutePath());
      Files.createDirectories(inContainer(c, hostDir.toAbsolutePath().toString()));

      String path = files.stage(c.hostPid(), List.of("/var/tmp/.kulp"), NAME, source, SHA);

      assertThat(inContainer(c, hostDir.toAbsolutePath() + "/.kulp/" + NAME)).hasBinaryContent(BYTES);
      assertThat(path).isEqualTo("/var/tmp/.kulp/" + NAME);
      try (var entries = Files.list(hostDir)) {
        assertThat(entries).isEmpty();
      }
      assertThat(files.staged(c.hostPid(), List.of("/var/tmp/.kulp"))).containsExactly(path);
    }
  }

  @Test
  void aCopyWhoseDigestIsNotTheVerifiedOneIsNotStagedAndLeavesNothing() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      Files.write(source, "other bytes".getBytes());

      assertThatThrownBy(() -> files.stage(c.hostPid(), List.of("/tmp/.kulp"), NAME, source, SHA))
          .isInstanceOf(StagingException.class).hasMessageContaining("not " + SHA);
      try (var entries = Files.list(inContainer(c, "/tmp/.kulp"))) {
        assertThat(entries).isEmpty();
      }
    }
  }
}
