package io.kulp.engine;

import static io.kulp.engine.HostileProcessesIT.promptly;
import static io.kulp.engine.HostileProcessesIT.ulpAsTheAgent;
import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container that plants symbolic links to host files where the files its process maps were: the
 * engine, root on the host, must resolve every path inside the container's root, so that no host
 * file is ever opened, nor anything about one (its size, say) ever told.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileContainerIT {
  private static final String DRIVER = "/usr/bin/kfix-driver";
  private static final String LIBPULP = "/usr/lib/kulp/libpulp.so";

  private static ScratchImage image;

  @BeforeAll
  static void buildImage() {
    image = ScratchImage.builder("hostile")
        .add(Fixtures.fixture("kfix-driver"), DRIVER)
        .add(Fixtures.library(), "/usr/bin/libkfix.so.1") // found by the driver's rpath, $ORIGIN
        .add(Fixtures.libpulp(), LIBPULP)
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
  void linksToHostFilesPlantedWhereTheRuntimeWasLeadNowhereOutsideTheContainer(@TempDir Path dir) throws Exception {
    // Host files under both names the engine may try, 61 bytes each: too short for an ELF header,
    // which an error reading one would say.
    Path host = Files.createDirectories(dir.resolve("host"));
    FileTime longAgo = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    List<Path> secrets = new ArrayList<>();
    for (String name : List.of("libpulp.so", "libpulp.so (deleted)")) {
      Path secret = Files.writeString(host.resolve(name), "s".repeat(61));
      Files.getFileAttributeView(secret, BasicFileAttributeView.class).setTimes(null, longAgo, null);
      secrets.add(secret);
    }

    try (FixtureContainer container = FixtureContainer.builder(image).preload(LIBPULP).command(DRIVER).start()) {
      container.awaitLine(line -> line.startsWith("ready"));
      int pid = container.hostPid();
      try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withMapFiles(false))) {
        assertThat(engine.read(pid).patches()).as("the runtime, read through the container's root").isEmpty();
      }

      // What the container could do itself: replace its runtime's file by links out of its root...
      Path kulp = Path.of("/proc/" + pid + "/root/usr/lib/kulp");
      Files.delete(kulp.resolve("libpulp.so"));
      Files.createSymbolicLink(kulp.resolve("libpulp.so (deleted)"), secrets.get(1));
      Files.createSymbolicLink(kulp.resolve("libpulp.so"), Path.of("../../../../../../../.." + secrets.get(0)));
      assertThat(Files.readString(Path.of("/proc/" + pid + "/maps"))).contains(LIBPULP + " (deleted)\n");
      refusesWithoutTellingAboutTheHostFile(pid);

      // ... or the directory holding it by a link to a host directory.
      Files.delete(kulp.resolve("libpulp.so"));
      Files.delete(kulp.resolve("libpulp.so (deleted)"));
      Files.delete(kulp);
      Files.createSymbolicLink(kulp, host);
      refusesWithoutTellingAboutTheHostFile(pid);

      for (Path secret : secrets) {
        assertThat(Files.readAttributes(secret, BasicFileAttributes.class).lastAccessTime())
            .as("the access time of %s: it was never read", secret).isEqualTo(longAgo);
      }
    }
  }

  private static void refusesWithoutTellingAboutTheHostFile(int pid) throws Exception {
    try (Engine engine = new PtraceEngine(PtraceEngine.Options.defaults().withMapFiles(false))) {
      assertThatThrownBy(() -> engine.read(pid)).isInstanceOf(EngineException.class)
          .hasMessageContaining("cannot read " + LIBPULP + " (deleted) of process " + pid)
          .hasMessageContaining("cannot be read safely").hasMessageNotContaining("61 bytes");
    }
    CommandResult patches = promptly(() -> ulpAsTheAgent("patches", "-p", pid));
    CommandResult trigger = promptly(() -> ulpAsTheAgent("trigger", "-p", pid, patch("value_v2")));

    assertThat(patches.exitCode()).as(patches.toString()).isEqualTo(1);
    assertThat(patches.stderr()).contains("cannot be read safely").doesNotContain("61 bytes");
    assertThat(trigger.exitCode()).as(trigger.toString()).isEqualTo(1);
    assertThat(trigger.stderr()).contains("cannot be read safely").doesNotContain("61 bytes");
  }
}
