package io.kulp.e2e;

import io.kulp.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The images of the demo's service (runtime-c/demo, deploy/dev/demo.sh): auth-service and its
 * libauth.so.1 in /app, the C library files it and libpulp.so link, a /tmp, no shell; one with
 * libpulp.so in /usr/lib/kulp, one without. Written as an OCI archive by deploy/images/oci-image.sh, so no engine and no pull.
 * Twice a second the service prints whether an empty password is granted (CVE-2026-4242 in
 * libauth) — the line a live patch changes.
 */
final class AuthServiceImage {
  /** With libpulp.so at {@link #LIBPULP}. */
  static final String REFERENCE = "localhost/kulp-e2e/auth-service:1";
  /** Without libpulp.so: kulp's webhook gives its pods the runtime. */
  static final String PLAIN_REFERENCE = "localhost/kulp-e2e/auth-service-plain:1";
  static final String SERVICE = "/app/auth-service";
  static final String LIBRARY = "libauth.so.1";
  static final String LIBPULP = "/usr/lib/kulp/libpulp.so";
  /** The patch container for CVE-2026-4242 (runtime-c/demo/fix_cve_2026_4242.dsc, packed by ulp). */
  static final Path FIX = Fixtures.runtimeDir().resolve("demo/fix_cve_2026_4242.so");

  /** A library line of ldd: {@code libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)} or the loader's. */
  private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

  private AuthServiceImage() {}

  /** Writes both archives into {@code dir}; returns their paths. */
  static List<Path> write(Path repo, Path dir) {
    return List.of(write(repo, dir, true), write(repo, dir, false));
  }

  private static Path write(Path repo, Path dir, boolean withRuntime) {
    try {
      String name = withRuntime ? "auth-service" : "auth-service-plain";
      Path tree = dir.resolve(name + "-tree");
      run(List.of("rm", "-rf", tree.toString()));
      Path demo = Fixtures.runtimeDir().resolve("demo");
      add(tree, demo.resolve("auth-service"), SERVICE);
      add(tree, demo.resolve(LIBRARY), "/app/" + LIBRARY);
      if (withRuntime) {
        add(tree, Fixtures.libpulp(), LIBPULP);
      } else {
        // a glibc image has all of glibc: the runtime the webhook brings links libdl.so.2, which
        // the service alone does not
        addLibraries(tree, Fixtures.libpulp());
      }
      Path tmp = Files.createDirectories(tree.resolve("tmp"));
      run(List.of("chmod", "1777", tmp.toString()));
      Path archive = dir.resolve(name + ".tar");
      run(List.of(repo.resolve("deploy/images/oci-image.sh").toString(), "--ref",
          withRuntime ? REFERENCE : PLAIN_REFERENCE, "--out", archive.toString(), "--user", "65532:65532",
          "--entrypoint", SERVICE, tree.toString()));
      return archive;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies {@code file} to {@code at} in the tree, with the libraries it links. */
  private static void add(Path tree, Path file, String at) throws IOException {
    copy(file, tree.resolve(at.substring(1)));
    addLibraries(tree, file);
  }

  /** Copies the libraries ldd names for {@code file} (not those beside it) to their paths in the tree. */
  private static void addLibraries(Path tree, Path file) throws IOException {
    Matcher m = LDD_PATH.matcher(run(List.of("ldd", file.toString())));
    while (m.find()) {
      Path lib = Path.of(m.group(1));
      Path target = tree.resolve(lib.toString().substring(1));
      if (!lib.startsWith(file.getParent()) && !Files.exists(target)) {
        copy(lib.toRealPath(), target);
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
