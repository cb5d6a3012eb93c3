package io.kulp.operator.webhook;

import static io.kulp.api.KulpConstants.ANNOTATION_INJECTED;
import static io.kulp.api.KulpConstants.ANNOTATION_INJECT_CONTAINERS;
import static io.kulp.api.KulpConstants.ANNOTATION_SKIP_CONTAINERS;
import static io.kulp.api.KulpConstants.INJECT_DISABLED;
import static io.kulp.api.KulpConstants.INJECT_ENABLED;
import static io.kulp.api.KulpConstants.INJECTED_RUNTIME;
import static io.kulp.api.KulpConstants.INJECTED_STAGING_MOUNT;
import static io.kulp.api.KulpConstants.LABEL_INJECT;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which pods and which of their containers get the runtime, and why not. Plain decisions over the
 * pod as the API server hands it to the webhook and its namespace's labels.
 */
final class InjectionPolicy {

  /** Namespaces never injected, whatever their labels say. */
  static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");

  private final Set<String> neverInjected;

  /** {@code kulpNamespaces}: kulp's own (the operator's, the agents', the patches'), never injected. */
  InjectionPolicy(Set<String> kulpNamespaces) {
    this.neverInjected = Set.copyOf(union(SYSTEM_NAMESPACES, kulpNamespaces));
  }

  /**
   * Why the pod is left as it is (empty: inject it). {@code optedIn} false means the pod was not
   * asked for at all (no annotation is written then).
   */
  record PodVerdict(boolean optedIn, Optional<String> skipped) {
    static PodVerdict inject() {
      return new PodVerdict(true, Optional.empty());
    }

    static PodVerdict notOptedIn(String why) {
      return new PodVerdict(false, Optional.of(why));
    }
  }

  PodVerdict forPod(String namespace, Map<String, String> namespaceLabels, Pod pod) {
    if (neverInjected.contains(namespace)) {
      return PodVerdict.notOptedIn("namespace " + namespace + " is never injected");
    }
    String nsLabel = labels(namespaceLabels).get(LABEL_INJECT);
    String podLabel = labels(pod.getMetadata().getLabels()).get(LABEL_INJECT);
    if (INJECT_DISABLED.equals(nsLabel)) {
      return PodVerdict.notOptedIn("namespace " + namespace + " is labelled " + LABEL_INJECT + "=" + INJECT_DISABLED);
    }
    if (INJECT_DISABLED.equals(podLabel)) {
      return PodVerdict.notOptedIn("the pod is labelled " + LABEL_INJECT + "=" + INJECT_DISABLED);
    }
    if (!INJECT_ENABLED.equals(nsLabel) && !INJECT_ENABLED.equals(podLabel)) {
      return PodVerdict.notOptedIn("neither the pod nor its namespace is labelled " + LABEL_INJECT + "=" + INJECT_ENABLED);
    }
    if (alreadyInjected(pod)) {
      return PodVerdict.notOptedIn("already injected");
    }
    if (pod.getSpec().getOs() != null && "windows".equals(pod.getSpec().getOs().getName())) {
      return new PodVerdict(true, Optional.of("pod: a Windows pod has no use for a Linux runtime"));
    }
    Optional<String> taken = pod.getSpec().getVolumes().stream().map(v -> v.getName())
        .filter(n -> n.equals(RuntimeInjection.RUNTIME_VOLUME) || n.equals(RuntimeInjection.STAGING_VOLUME)).findFirst();
    if (taken.isPresent()) {
      // a second volume of that name would make the API server refuse the pod
      return new PodVerdict(true, Optional.of("pod: it already has a volume named " + taken.get()));
    }
    return PodVerdict.inject();
  }

  /** The webhook was here before: its annotation, or its init container. */
  static boolean alreadyInjected(Pod pod) {
    return annotations(pod).containsKey(ANNOTATION_INJECTED)
        || pod.getSpec().getInitContainers().stream().anyMatch(c -> RuntimeInjection.INIT_CONTAINER.equals(c.getName()));
  }

  /** Why {@code container} of {@code pod} does not get the runtime; empty: it does. */
  Optional<String> forContainer(Pod pod, Container container) {
    String name = container.getName();
    Set<String> only = names(annotations(pod).get(ANNOTATION_INJECT_CONTAINERS));
    if (names(annotations(pod).get(ANNOTATION_SKIP_CONTAINERS)).contains(name)) {
      return Optional.of("listed in " + ANNOTATION_SKIP_CONTAINERS);
    }
    if (!only.isEmpty() && !only.contains(name)) {
      return Optional.of("not listed in " + ANNOTATION_INJECT_CONTAINERS);
    }
    Optional<EnvVar> preload = container.getEnv().stream().filter(e -> "LD_PRELOAD".equals(e.getName())).findFirst();
    if (preload.isPresent() && preload.get().getValueFrom() != null) {
      return Optional.of("its LD_PRELOAD comes from valueFrom, which the webhook cannot extend without losing it;"
          + " set it as a value, or add " + INJECTED_RUNTIME + " to it yourself");
    }
    if (!only.contains(name) && looksMusl(container.getImage())) {
      return Optional.of("its image " + container.getImage() + " looks musl-based (Alpine), and a musl program does not"
          + " start with libpulp.so preloaded; if the image is glibc-based, name the container in "
          + ANNOTATION_INJECT_CONTAINERS);
    }
    Optional<String> clash = container.getVolumeMounts().stream().map(m -> m.getMountPath())
        .filter(p -> p.equals(RuntimeInjection.ROOT) || p.startsWith(RuntimeInjection.ROOT + "/")).findFirst();
    if (clash.isPresent()) {
      return Optional.of("it already mounts something at " + clash.get());
    }
    return Optional.empty();
  }

  /** Pod Security admission's namespace label naming the level it enforces. */
  static final String POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";

  /**
   * Why the pod gets no staging directory (empty: it gets one). Making the emptyDir sticky takes
   * the container's root (the kubelet creates it 0777, owned by root, and only its owner may
   * change its mode), and an init container running as root would make Pod Security
   * {@code restricted}, or a pod that asked to run as non-root, refuse the pod. So it is done only
   * where the namespace says that root may run ({@code baseline} or {@code privileged}).
   */
  Optional<String> whyNoStaging(Map<String, String> namespaceLabels, Pod pod) {
    String level = labels(namespaceLabels).get(POD_SECURITY_ENFORCE);
    if (!"privileged".equals(level) && !"baseline".equals(level)) {
      // Unlabelled, the cluster's default level applies, which may be restricted: a root init
      // container would then get the pod refused, and the webhook must never cost a pod its start.
      return Optional.of((level == null ? "the namespace does not say its Pod Security level ("
          + POD_SECURITY_ENFORCE + ")" : "the namespace enforces Pod Security " + level)
          + ", so no init container runs as root to make " + INJECTED_STAGING_MOUNT + " sticky; patches are staged"
          + " in /tmp");
    }
    var context = pod.getSpec().getSecurityContext();
    if (context != null && Boolean.TRUE.equals(context.getRunAsNonRoot())) {
      return Optional.of("the pod runs as non-root (runAsNonRoot), so no init container runs as root to make "
          + INJECTED_STAGING_MOUNT + " sticky; patches are staged in /tmp");
    }
    return Optional.empty();
  }

  /** An image reference that names Alpine or musl in its repository or tag. */
  static boolean looksMusl(String image) {
    if (image == null) {
      return false;
    }
    String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    String lastPart = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return lastPart.contains("alpine") || lastPart.contains("musl");
  }

  private static Set<String> names(String list) {
    if (list == null || list.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }

  static Map<String, String> annotations(Pod pod) {
    return labels(pod.getMetadata().getAnnotations());
  }

  static Map<String, String> labels(Map<String, String> labels) {
    return labels == null ? Map.of() : labels;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }
}
