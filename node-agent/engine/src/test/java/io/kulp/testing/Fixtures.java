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
