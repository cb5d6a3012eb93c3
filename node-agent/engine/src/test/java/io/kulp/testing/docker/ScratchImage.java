package io.kulp.testing.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Docker image made only of local files, like {@code FROM scratch} plus {@code COPY}: no image is
 * pulled. Each dynamically linked ELF file added brings the shared libraries {@code ldd} names for
 * it, and the dynamic loader, at the same absolute paths as on the host.
 *
 * <pre>{@code
 * try (ScratchImage image = ScratchImage.builder("echo")
 *     .add(Path.of("runtime-c/target/fixture"), "/usr/bin/fixture")
 *     .add(Path.of("runtime-c/target/libpulp.so"), "/usr/lib/kulp/libpulp.so")
 *     .build()) {
 *   ... FixtureContainer.builder(image) ...
 * }
 * }</pre>
 *
 * Closing the image removes it from the engine, with the containers made from it.
 */
public final class ScratchImage implements AutoCloseable {
  /** A library line of ldd: {@code libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)} or the loader's. */
  private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

  private final String reference;

  private ScratchImage(String reference) {
    this.reference = reference;
  }

  /** Starts an image whose repository name is {@code kulp-test-<name>}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The image's {@code repository:tag}, unique to this build. */
  public String reference() {
    return reference;
  }

  /** Removes the image, and any container made from it that a test left behind. */
  @Override
  public void close() {
    String leftovers = DockerCli.run("ps", "--all", "--quiet", "--filter", "ancestor=" + reference);
    if (!leftovers.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("rm", "--force"));
      rm.addAll(List.of(leftovers.split("\\s+")));
      DockerCli.run(rm.toArray(String[]::new));
    }
    DockerCli.run("rmi", "--force", reference);
  }

  @Override
  public String toString() {
    return reference;
  }

  /** Collects files, then imports them as one image layer. */
  public static final class Builder {
    private final String name;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private final Map<String, String> texts = new LinkedHashMap<>();
    private final Map<String, String> directories = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path tree;

    private Builder(String name) {
      this.name = name.toLowerCase(Locale.ROOT);
    }

    /**
     * Copies a host file to {@code pathInImage}, with its permissions. If it is a dynamically linked
     * ELF program or library, the libraries {@code ldd} resolves for it come along too.
     */
    public Builder add(Path hostFile, String pathInImage) {
      files.put(absolute(pathInImage), hostFile);
      return this;
    }

    /**
     * Starts the image from a copy of a whole root file system, another distribution's say. Files
     * added then run with that tree's C library: they bring no library from the host.
     */
    public Builder tree(Path hostDirectory) {
      this.tree = hostDirectory;
      return this;
    }

    /** Writes a text file into the image, for example a marker that tests look for. */
    public Builder text(String pathInImage, String content) {
      texts.put(absolute(pathInImage), content);
      return this;
    }

    /**
     * Creates an empty, world-writable directory with the sticky bit (mode 1777), as {@code /tmp}
     * is in every distribution image: the agent stages patches only below directories whose
     * entries no other user can replace.
     */
    public Builder directory(String pathInImage) {
      return directory(pathInImage, "1777");
    }

    /** Creates an empty directory with {@code mode} (octal, for chmod): a hostile layout, say 0777. */
    public Builder directory(String pathInImage, String mode) {
      directories.put(absolute(pathInImage), mode);
      return this;
    }

    /**
     * Sets an environment variable in the image (Dockerfile {@code ENV}). The same variables apply
     * when {@code ldd} resolves libraries, so {@code LD_LIBRARY_PATH} works for both.
     */
    public Builder env(String variable, String value) {
      env.put(variable, value);
      return this;
    }

    /** Imports the files as an image; the staging directory is deleted afterwards. */
    public ScratchImage build() {
      String reference = "kulp-test-" + name + ":" + UUID.randomUUID().toString().substring(0, 8);
      Path staging = null;
      try {
        staging = Files.createTempDirectory("kulp-scratch-image");
        Path rootfs = Files.createDirectory(staging.resolve("rootfs"));
        if (tree != null) {
          exec(List.of("cp", "-a", tree + "/.", rootfs.toString()));
        }
        for (Map.Entry<String, Path> file : files.entrySet()) {
          copy(file.getValue(), rootfs, file.getKey());
          for (Path library : tree != null ? List.<Path>of() : sharedLibraries(file.getValue())) {
            copy(library, rootfs, library.toString());
          }
        }
        for (Map.Entry<String, String> text : texts.entrySet()) {
          Path target = inRootfs(rootfs, text.getKey());
          Files.createDirectories(target.getParent());
          Files.writeString(target, text.getValue());
        }
        for (Map.Entry<String, String> directory : directories.entrySet()) {
          Path target = Files.createDirectories(inRootfs(rootfs, directory.getKey()));
          exec(List.of("chmod", directory.getValue(), target.toString()));
        }
        Path tar = staging.resolve("rootfs.tar");
        exec(List.of("tar", "-C", rootfs.toString(), "--numeric-owner", "--owner=0", "--group=0", "-cf", tar.toString(), "."));
        List<String> args = new ArrayList<>(List.of("import", "--change", "LABEL " + DockerCli.TEST_LABEL + "=true"));
        env.forEach((variable, value) ->
            args.addAll(List.of("--change", "ENV " + variable + "=\"" + value.replace("\"", "\\\"") + "\"")));
        args.addAll(List.of(tar.toString(), reference));
        DockerCli.run(args.toArray(String[]::new));
        return new ScratchImage(reference);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stage the files of image " + reference, e);
      } finally {
        deleteRecursively(staging);
      }
    }

    /** The libraries and loader {@code ldd} resolves for an ELF file; none for other files. */
    private List<Path> sharedLibraries(Path file) throws IOException {
      if (!isElf(file)) {
        return List.of();
      }
      ProcessBuilder ldd = new ProcessBuilder("ldd", file.toString()).redirectErrorStream(true);
      ldd.environment().putAll(env);
      Result result = exec(ldd);
      if (result.output().contains("not a dynamic executable") || result.output().contains("statically linked")) {
        return List.of();
      }
      result.requireSuccess(ldd);
      String output = result.output();
      List<Path> libraries = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.contains("not found")) {
          throw new IllegalStateException("ldd cannot resolve a library of " + file + ": " + line.trim()
              + " (set LD_LIBRARY_PATH with env(...))");
        }
        Matcher path = LDD_PATH.matcher(line);
        if (path.find()) {
          libraries.add(Path.of(path.group(1)));
        }
      }
      return libraries;
    }

    private static boolean isElf(Path file) throws IOException {
      try (InputStream in = Files.newInputStream(file)) {
        return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
      }
    }

    private static void copy(Path hostFile, Path rootfs, String pathInImage) throws IOException {
      Path target = inRootfs(rootfs, pathInImage);
      Files.createDirectories(target.getParent());
      // Follows symlinks: the image gets the library's content under the name the loader asks for.
      Files.copy(hostFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static Path inRootfs(Path rootfs, String pathInImage) {
      Path target = rootfs.resolve(pathInImage.substring(1)).normalize();
      if (!target.startsWith(rootfs)) {
        throw new IllegalArgumentException("path leaves the image: " + pathInImage);
      }
      return target;
    }

    private static String absolute(String pathInImage) {
      if (!pathInImage.startsWith("/")) {
        throw new IllegalArgumentException("paths in the image are absolute: " + pathInImage);
      }
      return pathInImage;
    }
  }

  private static void exec(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    exec(builder).requireSuccess(builder);
  }

  /** The exit code and the merged output of a local tool. */
  private record Result(int exitCode, String output) {
    void requireSuccess(ProcessBuilder builder) {
      if (exitCode != 0) {
        throw new IllegalStateException(builder.command() + " exited with " + exitCode + ": " + output.trim());
      }
    }
  }

  private static Result exec(ProcessBuilder builder) {
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(builder.command() + " did not finish in 60s");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + builder.command(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + builder.command(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary directory is harmless
    }
  }
}
