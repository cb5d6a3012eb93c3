package io.kulp.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kulp.api.Sha256;
import io.kulp.api.StagedPatchName;
import io.kulp.host.HostPaths;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.DockerCli;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging into real docker containers whose other users are hostile: a user (uid 1000) of the
 * container squats the staging paths before the agent comes (a world-writable directory, a
 * directory of its own, plain files), or races the agent, replacing the staged file or renaming the
 * staging directory aside and planting its own, as fast as a shell loop can. Whatever it does, the
 * file at the path staging returns holds the verified bytes, or staging says why it refused.
 */
@Timeout(120)
class HostileStagingIT {
  private static final byte[] BYTES = "the verified patch".getBytes();
  private static final String SHA = Sha256.of(BYTES);
  private static final String NAME = StagedPatchName.of(SHA);
  private static final List<String> DIRS = List.of("/tmp/.kulp", "/var/tmp/.kulp");
  private static final String USER = "1000:1000";
  private static ScratchImage image;

  private final ContainerFiles files = new NativeContainerFiles(HostPaths.system());

  @TempDir
  Path cache;

  private Path source;

  @BeforeEach
  void writeSource() throws Exception {
    source = Files.write(cache.resolve(SHA + ".so"), BYTES);
  }

  @BeforeAll
  static void buildImage() {
    image = ScratchImage.builder("hostile-staging")
        .add(Fixtures.fixture("kfix-driver"), "/usr/bin/kfix-driver")
        .add(Fixtures.library(), "/usr/bin/libkfix.so.1")
        .add(Path.of("/bin/sh"), "/bin/sh")
        .add(Path.of("/usr/bin/cp"), "/bin/cp")
        .add(Path.of("/usr/bin/mv"), "/bin/mv")
        .add(Path.of("/usr/bin/mkdir"), "/bin/mkdir")
        .text("/evil", "the attacker's bytes")
        .directory("/tmp", "0777") // world-writable, without the sticky bit, as a Kubernetes emptyDir is
        .directory("/var/tmp", "0777")
        .env("PATH", "/bin")
        .build();
  }

  @AfterAll
  static void removeImage() {
    if (image != null) {
      image.close();
    }
  }

  private static FixtureContainer start() {
    FixtureContainer c = FixtureContainer.builder(image).command("/usr/bin/kfix-driver").start();
    c.awaitLine(line -> line.startsWith("ready"));
    return c;
  }

  private static Path inContainer(FixtureContainer c, String path) {
    return Path.of("/proc", Integer.toString(c.hostPid()), "root", path.substring(1));
  }

  private static void sticky(FixtureContainer c, String dir) throws Exception {
    NativeContainerFilesIT.sticky(c, dir);
  }

  /** Runs {@code script} as uid 1000 in the container and waits for it. */
  private static void asUser(FixtureContainer c, String script) {
    DockerCli.run("exec", "--user", USER, c.id(), "/bin/sh", "-c", script);
  }

  /** Starts {@code script} as uid 1000 in the container, in a loop, until the container goes. */
  private static void racing(FixtureContainer c, String script) {
    DockerCli.run("exec", "--detach", "--user", USER, c.id(), "/bin/sh", "-c",
        "while :; do " + script + "; done 2>/dev/null");
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      return new byte[0];
    }
  }

  /** The file at {@code path}, as the process would open it, keeps the verified bytes for a while. */
  private static void keepsTheVerifiedBytes(FixtureContainer c, String path) {
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
        .until(() -> Arrays.equals(read(inContainer(c, path)), BYTES));
  }

  /** The racer runs: the file it plants is there. */
  private static void attacks(FixtureContainer c, String planted) {
    await().atMost(Duration.ofSeconds(10)).until(() -> new String(read(inContainer(c, planted)))
        .equals("the attacker's bytes"));
  }

  @Test
  void aWorldWritableDirectorySquattedAtTheStagingPathIsNotUsedAndItsUserCannotSwapTheBytes() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      sticky(c, "/var/tmp");
      asUser(c, "mkdir -m 0777 /tmp/.kulp");
      racing(c, "cp /evil /tmp/.kulp/.x && mv -f /tmp/.kulp/.x /tmp/.kulp/" + NAME
          + "; for d in /tmp/.kulp-* /var/tmp/.kulp*; do cp /evil /tmp/.y; mv -f /tmp/.y $d/" + NAME
          + "; mv $d $d.gone; done");
      attacks(c, "/tmp/.kulp/" + NAME);

      String path = files.stage(c.hostPid(), DIRS, NAME, source, SHA);

      assertThat(path).doesNotStartWith("/tmp/.kulp/").endsWith("/" + NAME);
      keepsTheVerifiedBytes(c, path);
    }
  }

  @Test
  void aDirectoryOfAnotherUserAtTheStagingPathIsNotUsedAndItsOwnerCannotSwapTheBytes() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      sticky(c, "/var/tmp");
      asUser(c, "mkdir -m 0755 /tmp/.kulp");
      racing(c, "cp /evil /tmp/.kulp/.x && mv -f /tmp/.kulp/.x /tmp/.kulp/" + NAME);
      attacks(c, "/tmp/.kulp/" + NAME);

      String path = files.stage(c.hostPid(), DIRS, NAME, source, SHA);

      assertThat(path).doesNotStartWith("/tmp/.kulp/").endsWith("/" + NAME);
      keepsTheVerifiedBytes(c, path);
    }
  }

  @Test
  void plainFilesSquattingEveryStagingPathDoNotStopStaging() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      sticky(c, "/var/tmp");
      asUser(c, "echo squat > /tmp/.kulp; echo squat > /var/tmp/.kulp");

      String path = files.stage(c.hostPid(), DIRS, NAME, source, SHA);

      assertThat(path).matches("/tmp/\\.kulp-[0-9a-f]{16}/" + NAME);
      assertThat(inContainer(c, path)).hasBinaryContent(BYTES);
      assertThat(inContainer(c, "/tmp/.kulp")).hasContent("squat");
      assertThat(inContainer(c, "/var/tmp/.kulp")).hasContent("squat");
      assertThat(files.stage(c.hostPid(), DIRS, NAME, source, SHA)).isEqualTo(path); // found again, not a new one
    }
  }

  @Test
  void aStagingDirectoryInAWorldWritableDirectoryWithoutTheStickyBitIsNotUsed() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/var/tmp");
      // /tmp stays 0777 without the sticky bit: its users may rename whatever is in it
      racing(c, "i=$((i+1)); mv /tmp/.kulp /tmp/.gone$i; mkdir /tmp/.kulp; cp /evil /tmp/.kulp/" + NAME);
      attacks(c, "/tmp/.kulp/" + NAME);

      assertThatThrownBy(() -> files.stage(c.hostPid(), List.of("/tmp/.kulp"), NAME, source, SHA))
          .isInstanceOf(StagingException.class)
          .hasMessageContaining("/tmp/.kulp: /tmp is writable by others without the sticky bit");
      String path = files.stage(c.hostPid(), DIRS, NAME, source, SHA);

      assertThat(path).isEqualTo("/var/tmp/.kulp/" + NAME);
      keepsTheVerifiedBytes(c, path);
    }
  }

  @Test
  void removingAStagedFileDoesNotFollowALinkPlantedAsItsDirectory() throws Exception {
    try (FixtureContainer c = start()) {
      sticky(c, "/tmp");
      Files.createDirectories(inContainer(c, "/victim"));
      Files.write(inContainer(c, "/victim/" + NAME), BYTES);
      Files.createSymbolicLink(inContainer(c, "/tmp/.kulp"), Path.of("/victim"));

      assertThat(files.staged(c.hostPid(), DIRS)).isEmpty();
      assertThatThrownBy(() -> files.remove(c.hostPid(), "/tmp/.kulp/" + NAME))
          .isInstanceOf(StagingException.class).hasMessageContaining("/tmp/.kulp is a symbolic link");

      assertThat(inContainer(c, "/victim/" + NAME)).exists();
    }
  }
}
