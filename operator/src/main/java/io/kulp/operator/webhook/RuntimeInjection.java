package io.kulp.operator.webhook;

import static io.kulp.api.KulpConstants.ANNOTATION_INJECTED;
import static io.kulp.api.KulpConstants.ANNOTATION_INJECT_SKIPPED;
import static io.kulp.api.KulpConstants.INJECTED_RUNTIME;
import static io.kulp.api.KulpConstants.INJECTED_RUNTIME_DIR;
import static io.kulp.api.KulpConstants.INJECTED_STAGING_MOUNT;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What injecting the runtime adds to a pod: an init container from the runtime image that copies
 * {@code libpulp.so} into an emptyDir (and makes the staging emptyDir sticky, when it runs as
 * root), that emptyDir mounted read-only in each chosen container, the runtime appended to their
 * {@code LD_PRELOAD}, the staging emptyDir mounted writable, and the annotations that say what was
 * done.
 */
final class RuntimeInjection {

  /** Everything the webhook mounts lives below this path in a container. */
  static final String ROOT = "/kulp";
  /** The init container's name, also how a later invocation recognises an injected pod. */
  static final String INIT_CONTAINER = "kulp-runtime";
  static final String RUNTIME_VOLUME = "kulp-runtime";
  static final String STAGING_VOLUME = "kulp-staging";
  /** The copier and the runtime in the runtime image (deploy/images/runtime/Dockerfile). */
  static final String INSTALLER = "/kulp-install";
  static final String IMAGE_RUNTIME = "/libpulp.so";
  /** The user the init container runs as when it need not be root. */
  static final long NON_ROOT_USER = 65532;

  private RuntimeInjection() {}

  /**
   * Injects {@code containers} (names of {@code pod}'s containers) in place, from
   * {@code runtimeImage}; {@code staging}: whether to give them the staging directory;
   * {@code skipped}: "name: reason" entries for the annotation.
   */
  static void apply(Pod pod, String runtimeImage, List<String> containers, boolean staging, List<String> skipped) {
    var spec = pod.getSpec();
    spec.getVolumes().add(new VolumeBuilder().withName(RUNTIME_VOLUME).withNewEmptyDir()
        .withSizeLimit(new Quantity("16Mi")).endEmptyDir().build());
    if (staging) {
      spec.getVolumes().add(new VolumeBuilder().withName(STAGING_VOLUME).withNewEmptyDir()
          .withSizeLimit(new Quantity("64Mi")).endEmptyDir().build());
    }
    spec.getInitContainers().add(0, initContainer(runtimeImage, staging));
    for (Container c : spec.getContainers()) {
      if (!containers.contains(c.getName())) {
        continue;
      }
      c.getVolumeMounts().add(new VolumeMountBuilder().withName(RUNTIME_VOLUME).withMountPath(INJECTED_RUNTIME_DIR)
          .withReadOnly(true).build());
      if (staging) {
        c.getVolumeMounts().add(new VolumeMountBuilder().withName(STAGING_VOLUME).withMountPath(INJECTED_STAGING_MOUNT)
            .build());
      }
      preload(c);
    }
    Map<String, String> annotations = new HashMap<>(InjectionPolicy.annotations(pod));
    annotations.put(ANNOTATION_INJECTED, String.join(",", containers));
    if (!skipped.isEmpty()) {
      annotations.put(ANNOTATION_INJECT_SKIPPED, String.join("; ", skipped));
    }
    pod.getMetadata().setAnnotations(annotations);
  }

  /** Records why nothing was injected, and changes nothing else. */
  static void skip(Pod pod, List<String> skipped) {
    Map<String, String> annotations = new HashMap<>(InjectionPolicy.annotations(pod));
    annotations.put(ANNOTATION_INJECT_SKIPPED, String.join("; ", skipped));
    pod.getMetadata().setAnnotations(annotations);
  }

  private static void preload(Container c) {
    List<EnvVar> env = new ArrayList<>(c.getEnv());
    for (int i = 0; i < env.size(); i++) {
      EnvVar e = env.get(i);
      if ("LD_PRELOAD".equals(e.getName())) {
        env.set(i, new EnvVar("LD_PRELOAD", LdPreload.withRuntime(e.getValue(), INJECTED_RUNTIME), null));
        c.setEnv(env);
        return;
      }
    }
    env.add(new EnvVar("LD_PRELOAD", INJECTED_RUNTIME, null));
    c.setEnv(env);
  }

  /**
   * The init container: least privilege whatever it runs as (no capability, no escalation,
   * read-only root, the runtime's default seccomp profile), requests and limits set so that a
   * namespace's quota or LimitRange has what it needs. As root only to make the staging emptyDir
   * sticky: root owns it, so no capability is needed.
   */
  static Container initContainer(String runtimeImage, boolean staging) {
    List<String> command = new ArrayList<>(List.of(INSTALLER, IMAGE_RUNTIME, INJECTED_RUNTIME_DIR));
    var builder = new ContainerBuilder().withName(INIT_CONTAINER).withImage(runtimeImage)
        .withImagePullPolicy("IfNotPresent")
        .addNewVolumeMount().withName(RUNTIME_VOLUME).withMountPath(INJECTED_RUNTIME_DIR).endVolumeMount()
        .withNewResources()
        .addToRequests("cpu", new Quantity("10m")).addToRequests("memory", new Quantity("16Mi"))
        .addToLimits("cpu", new Quantity("100m")).addToLimits("memory", new Quantity("32Mi"))
        .endResources();
    if (staging) {
      command.addAll(List.of("--sticky", INJECTED_STAGING_MOUNT));
      builder.addNewVolumeMount().withName(STAGING_VOLUME).withMountPath(INJECTED_STAGING_MOUNT).endVolumeMount();
    }
    return builder.withCommand(command).withSecurityContext(new SecurityContextBuilder()
        .withRunAsUser(staging ? 0L : NON_ROOT_USER).withRunAsGroup(staging ? 0L : NON_ROOT_USER)
        .withRunAsNonRoot(!staging)
        .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build()).build();
  }
}
