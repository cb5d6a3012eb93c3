package io.kulp.engine;

import static io.kulp.testing.UlpCli.patch;
import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.testing.CommandResult;
import io.kulp.testing.Fixtures;
import io.kulp.testing.UlpCli;
import io.kulp.testing.docker.DockerCli;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libpulp.so, built on this machine, preloaded in a container of Debian 11, whose glibc (2.31) is
 * older than the build machine's. A preloaded library that needs a symbol version the system's
 * glibc lacks keeps every program from starting: this is what a workload image of an older
 * distribution would meet (runtime-c/src/glibc_symver.h).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OldGlibcContainerIT {
  private static final String DRIVER = "/usr/bin/kfix-driver";
  private static final String LIBPULP = "/usr/lib/kulp/libpulp.so";

  private static ScratchImage image;

  @BeforeAll
  static void buildImage() {
    image = ScratchImage.builder("old-glibc")
        .tree(Fixtures.oldGlibcRoot())
        .add(Fixtures.oldGlibcDriver(), DRIVER)
        .add(Fixtures.library(), "/usr/bin/libkfix.so.1") // found by the driver's rpath, $ORIGIN
        .add(Fixtures.libpulp(), LIBPULP)
        .build();
  }

  @AfterAll
  static void removeImage() {
    if (image != null) {
      image.close();
    }
  }

  @Test
  void aProgramOfTheOldDistributionThatLinksOnlyLibcStartsWithTheRuntimePreloaded() {
    // gencat needs libc.so.6 alone: the runtime must bring libdl.so.2 and libpthread.so.0 itself,
    // where glibc 2.31 keeps dlopen and pthread_create. docker run fails if the loader refuses.
    String out = DockerCli.run("run", "--rm", "--network", "none", "--label", DockerCli.TEST_LABEL + "=true",
        "--env", "LD_PRELOAD=" + LIBPULP, image.reference(), "/usr/bin/gencat", "--version");

    assertThat(out).startsWith("gencat (Debian GLIBC 2.31");
  }

  @Test
  void aProgramBuiltForTheOldGlibcIsLivePatchedByUlpFromTheHost() {
    String patches = Fixtures.patchesDir().toString();
    try (FixtureContainer container = FixtureContainer.builder(image).preload(LIBPULP)
        // The runtime opens the patch at the path ulp was given, which must be the same file there.
        .dockerOption("--volume=" + patches + ":" + patches + ":ro")
        .command(DRIVER).start()) {
      container.awaitLine(line -> line.startsWith("ready"));
      container.send("value");
      container.awaitLine(line -> line.equals("value=1"));

      CommandResult trigger = UlpCli.run("trigger", "-p", container.hostPid(), patch("value_v2"));

      assertThat(trigger.exitCode()).as(trigger.toString()).isZero();
      container.send("value");
      container.awaitLine(line -> line.equals("value=2"));
    }
  }
}
