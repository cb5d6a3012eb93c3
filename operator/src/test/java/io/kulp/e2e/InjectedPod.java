package io.kulp.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.kulp.testing.docker.DockerCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A pod as the API server returned it (after the mutating webhooks), run as a kubelet would run
 * it, with docker: each emptyDir a host directory of mode 0777 owned by root (what the kubelet
 * makes), each init container run to completion with its command, user, capabilities,
 * no-new-privileges, read-only root and mounts, and then the docker options and environment of a
 * container, for {@link io.kulp.testing.docker.FixtureContainer}. Only the fields the runtime
 * injection uses are translated.
 */
final class InjectedPod implements AutoCloseable {
  private final Pod pod;
  private final Path root;
  private final Map<String, Path> emptyDirs = new HashMap<>();

  InjectedPod(Pod pod) {
    this.pod = pod;
    try {
      root = Files.createTempDirectory("kulp-e2e-pod");
      for (Volume v : pod.getSpec().getVolumes()) {
        if (v.getEmptyDir() == null) {
          throw new IllegalArgumentException("volume " + v.getName() + " is not an emptyDir");
        }
        Path dir = Files.createDirectory(root.resolve(v.getName()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        emptyDirs.put(v.getName(), dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The host directory behind the emptyDir {@code volume}. */
  Path emptyDir(String volume) {
    return emptyDirs.get(volume);
  }

  /** Runs each init container in turn, as {@code image}; returns their output. Throws if one fails. */
  String runInitContainers() {
    StringBuilder out = new StringBuilder();
    for (Container c : pod.getSpec().getInitContainers()) {
      List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--label",
          DockerCli.TEST_LABEL + "=true"));
      run.addAll(options(c));
      run.add("--entrypoint=" + c.getCommand().get(0));
      run.add(c.getImage());
      run.addAll(c.getCommand().subList(1, c.getCommand().size()));
      run.addAll(c.getArgs());
      out.append(DockerCli.run(run.toArray(String[]::new)));
    }
    return out.toString();
  }

  /** The docker options of {@code container}: its mounts and its security context. */
  List<String> options(String container) {
    return options(container(container));
  }

  /** The plain environment variables of {@code container}, in order. */
  Map<String, String> env(String container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : container(container).getEnv()) {
      if (e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue());
      }
    }
    return env;
  }

  private Container container(String name) {
    return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  private List<String> options(Container c) {
    List<String> options = new ArrayList<>();
    for (VolumeMount m : c.getVolumeMounts()) {
      options.add("--volume=" + emptyDirs.get(m.getName()) + ":" + m.getMountPath()
          + (Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : ""));
    }
    SecurityContext s = c.getSecurityContext();
    if (s != null) {
      if (s.getRunAsUser() != null) {
        options.add("--user=" + s.getRunAsUser() + (s.getRunAsGroup() != null ? ":" + s.getRunAsGroup() : ""));
      }
      if (s.getCapabilities() != null) {
        s.getCapabilities().getDrop().forEach(cap -> options.add("--cap-drop=" + cap));
      }
      if (Boolean.FALSE.equals(s.getAllowPrivilegeEscalation())) {
        options.add("--security-opt=no-new-privileges");
      }
      if (Boolean.TRUE.equals(s.getReadOnlyRootFilesystem())) {
        options.add("--read-only");
      }
    }
    return options;
  }

  @Override
  public void close() {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
