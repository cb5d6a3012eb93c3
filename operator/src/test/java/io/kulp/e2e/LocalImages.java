package io.kulp.e2e;

import io.kulp.testing.docker.DockerCli;
import io.kulp.testing.docker.ScratchImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The kulp images built from deploy/images/*&#47;Dockerfile without pulling anything: the base is a
 * local image made of this host's Java runtime and the few tools the launchers use, passed as the
 * Dockerfiles' BASE argument; the build context holds only what the Dockerfiles copy.
 */
final class LocalImages {
  /** Parts of the JDK a runtime does not need. */
  private static final Set<String> SKIPPED = Set.of("jmods", "include", "demo", "man", "legal", "src.zip");
  private static final List<String> TOOLS = List.of("/bin/sh", "/usr/bin/env", "/bin/ls", "/usr/bin/head",
      "/usr/bin/dirname");

  private LocalImages() {}

  /** A FROM-scratch image with this JVM's java.home and /bin/sh, ls, head, dirname, env. */
  static ScratchImage javaBase() {
    Path javaHome = Path.of(System.getProperty("java.home"));
    ScratchImage.Builder b = ScratchImage.builder("jre")
        .env("PATH", javaHome.resolve("bin") + ":/usr/bin:/bin")
        // for ldd to resolve the JDK's own libraries (the java launcher finds them by itself)
        .env("LD_LIBRARY_PATH", javaHome.resolve("lib") + ":" + javaHome.resolve("lib/server"))
        .directory("/tmp");
    try (Stream<Path> files = Files.walk(javaHome)) {
      files.filter(p -> javaHome.relativize(p).toString().isEmpty() || !skipped(javaHome.relativize(p)))
          .filter(Files::isRegularFile)
          .forEach(p -> b.add(p, p.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TOOLS.forEach(tool -> b.add(Path.of(tool), tool));
    return b.build();
  }

  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      if (SKIPPED.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Builds {@code deploy/images/<component>/Dockerfile} on {@code base}; returns the image
   * reference. The context is a copy of the files the Dockerfile copies, at their repository paths.
   */
  static String build(Path repo, String component, ScratchImage base, List<String> contextPaths) {
    String reference = "kulp-test-" + component + ":" + UUID.randomUUID().toString().substring(0, 8);
    Path context = null;
    try {
      context = Files.createTempDirectory("kulp-image-context");
      for (String relative : contextPaths) {
        copy(repo.resolve(relative), context.resolve(relative));
      }
      DockerCli.run("build", "--quiet", "--build-arg", "BASE=" + base.reference(), "--label",
          DockerCli.TEST_LABEL + "=true", "-f", repo.resolve("deploy/images/" + component + "/Dockerfile").toString(),
          "-t", reference, context.toString());
      return reference;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(context);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    if (Files.isDirectory(from)) {
      try (Stream<Path> files = Files.walk(from)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Path target = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
    } else {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
