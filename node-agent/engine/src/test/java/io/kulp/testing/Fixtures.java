package io.kulp.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of what runtime-c builds: libpulp.so, the fixture programs and libraries, the patches. */
public final class Fixtures {
  /** The machine's own C library: built without -fpatchable-function-entry. */
  public static final Path MACHINE_LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");

  private Fixtures() {}

  public static Path runtimeDir() {
    Path dir = Path.of(System.getProperty("kulp.runtime.dir", "../runtime-c/target")).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(dir + " is missing: build runtime-c first (mvn -pl runtime-c compile)");
    }
    return dir;
  }

  /** The patchable fixture library, libkfix.so.1. */
  public static Path library() {
    return fixture("libkfix.so.1");
  }

  /** The same library built from another source variant: same soname, another build-id. */
  public static Path otherLibrary() {
    return runtimeDir().resolve("fixtures-other").resolve("libkfix.so.1");
  }

  /** The directory of the patch containers and their .dsc files. */
  public static Path patchesDir() {
    return runtimeDir().resolve("patches");
  }

  public static Path libpulp() {
    return runtimeDir().resolve("libpulp.so");
  }

  /**
   * A fake runtime named libpulp.so (runtime-c/fixtures/fake_runtime.c) that misbehaves as the
   * environment variable KULP_FAKE says: a helper TID of another process, or a helper that stays
   * COMMITTING.
   */
  public static Path fakeRuntime() {
    return fixture("fake").resolve("libpulp.so");
  }

  /**
   * The root of Debian 11 (glibc 2.31), older than the build machine's glibc, that
   * deploy/dev/prereqs.d/30-old-glibc-tree.sh unpacks: {@code KULP_OLD_GLIBC_ROOT}, by default
   * {@code ~/.cache/kulp/bullseye-glibc}.
   */
  public static Path oldGlibcRoot() {
    String configured = System.getenv("KULP_OLD_GLIBC_ROOT");
    Path root = configured != null && !configured.isEmpty() ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "kulp", "bullseye-glibc");
    if (!Files.exists(root.resolve(".kulp-complete"))) {
      throw new IllegalStateException(root + " holds no older glibc's tree: run deploy/dev/prereqs.sh, which makes it");
    }
    return root;
  }

  /** kfix-driver built against {@link #oldGlibcRoot()} (runtime-c's Makefile, target old-glibc). */
  public static Path oldGlibcDriver() {
    Path driver = runtimeDir().resolve("old-glibc").resolve("kfix-driver");
    if (!Files.isExecutable(driver)) {
      throw new IllegalStateException(driver + " is missing: run deploy/dev/prereqs.sh, then build runtime-c again");
    }
    return driver;
  }

  /**
   * runtime-c/fixtures/unprepared, built without -fpatchable-function-entry: libunprepared.so.1,
   * stripped/libunprepared.so.1 and the debug tree of its separate debug file, debug/.build-id.
   */
  public static Path unprepared() {
    Path dir = fixture("unprepared");
    if (!Files.isRegularFile(dir.resolve("stripped/libunprepared.so.1"))) {
      throw new IllegalStateException(dir + " is missing: runtime-c's Makefile builds it when it includes"
          + " fixtures/unprepared/unprepared.mk (or: make -C runtime-c -f Makefile -f fixtures/unprepared/unprepared.mk"
          + " unprepared)");
    }
    return dir;
  }

  public static Path fixture(String name) {
    return runtimeDir().resolve("fixtures").resolve(name);
  }

  /** A packed patch container, e.g. {@code patch("value_v2")}. */
  public static Path patch(String name) {
    return runtimeDir().resolve("patches").resolve(name + ".so");
  }

  public static Path ulp() {
    return Path.of(System.getProperty("kulp.ulp", "target/ulp")).toAbsolutePath().normalize();
  }
}
