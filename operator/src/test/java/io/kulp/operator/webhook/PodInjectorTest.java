package io.kulp.operator.webhook;

import static io.kulp.api.KulpConstants.ANNOTATION_INJECTED;
import static io.kulp.api.KulpConstants.ANNOTATION_INJECT_CONTAINERS;
import static io.kulp.api.KulpConstants.ANNOTATION_INJECT_SKIPPED;
import static io.kulp.api.KulpConstants.ANNOTATION_SKIP_CONTAINERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodInjectorTest {
  private static final String IMAGE = "registry.example/kulp-runtime:0.1.0";
  private static final Map<String, String> OPTED_IN = Map.of("kulp.io/inject", "enabled");
  /** Opted in, and saying that root may run there (Pod Security baseline): the staging directory too. */
  private static final Map<String, String> OPTED_IN_BASELINE = Map.of("kulp.io/inject", "enabled",
      "pod-security.kubernetes.io/enforce", "baseline");
  private final PodInjector injector = new PodInjector(new InjectionPolicy(Set.of("kulp-system")), IMAGE);

  private static PodBuilder pod(Container... containers) {
    return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().withContainers(containers)
        .endSpec();
  }

  private static Container container(String name, String image) {
    return new ContainerBuilder().withName(name).withImage(image).build();
  }

  private static Container named(Pod pod, String name) {
    return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }

  @Test
  void aPodInALabelledNamespaceGetsTheInitContainerTheMountsAndLdPreloadInEveryContainer() {
    Pod pod = pod(container("app", "debian:12"), container("sidecar", "envoy:1")).build();

    injector.inject(pod, "shop", OPTED_IN_BASELINE);

    assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("kulp-runtime");
    Container init = pod.getSpec().getInitContainers().get(0);
    assertThat(init.getImage()).isEqualTo(IMAGE);
    assertThat(init.getCommand()).containsExactly("/kulp-install", "/libpulp.so", "/kulp/runtime", "--sticky",
        "/kulp/staging");
    assertThat(init.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(init.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    for (String name : List.of("app", "sidecar")) {
      Container c = named(pod, name);
      assertThat(env(c, "LD_PRELOAD")).isEqualTo("/kulp/runtime/libpulp.so");
      assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath, VolumeMount::getReadOnly)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("/kulp/runtime", true),
              org.assertj.core.groups.Tuple.tuple("/kulp/staging", null));
    }
    assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("kulp-runtime", "kulp-staging");
    assertThat(pod.getSpec().getVolumes()).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(ANNOTATION_INJECTED, "app,sidecar")
        .doesNotContainKey(ANNOTATION_INJECT_SKIPPED);
  }

  @Test
  void aNamespaceThatDoesNotSayItsPodSecurityLevelGetsTheRuntimeButNoRootInitContainer() {
    Pod pod = pod(container("app", "debian:12")).build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(env(named(pod, "app"), "LD_PRELOAD")).isEqualTo("/kulp/runtime/libpulp.so");
    assertThat(pod.getSpec().getInitContainers().get(0).getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("kulp-runtime");
    assertThat(pod.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED)).isEqualTo("staging: the namespace"
        + " does not say its Pod Security level (pod-security.kubernetes.io/enforce), so no init container runs as"
        + " root to make /kulp/staging sticky; patches are staged in /tmp");
  }

  @Test
  void aPodLabelOptsInAndAnOptOutLabelWinsOverTheNamespace() {
    Pod labelled = pod(container("app", "debian:12")).editMetadata().addToLabels("kulp.io/inject", "enabled")
        .endMetadata().build();
    Pod optedOut = pod(container("app", "debian:12")).editMetadata().addToLabels("kulp.io/inject", "disabled")
        .endMetadata().build();
    Pod unlabelled = pod(container("app", "debian:12")).build();

    injector.inject(labelled, "shop", Map.of());
    injector.inject(optedOut, "shop", OPTED_IN);
    injector.inject(unlabelled, "shop", Map.of());

    assertThat(labelled.getMetadata().getAnnotations()).containsEntry(ANNOTATION_INJECTED, "app");
    assertThat(optedOut).isEqualTo(pod(container("app", "debian:12")).editMetadata()
        .addToLabels("kulp.io/inject", "disabled").endMetadata().build());
    assertThat(unlabelled).isEqualTo(pod(container("app", "debian:12")).build());
  }

  @Test
  void aNamespaceLabelledDisabledIsNeverInjectedEvenForALabelledPod() {
    Pod pod = pod(container("app", "debian:12")).editMetadata().addToLabels("kulp.io/inject", "enabled").endMetadata()
        .build();

    injector.inject(pod, "shop", Map.of("kulp.io/inject", "disabled"));

    assertThat(pod.getSpec().getInitContainers()).isEmpty();
  }

  @Test
  void kubeSystemAndKulpsOwnNamespacesAreNeverInjected() {
    for (String ns : List.of("kube-system", "kulp-system")) {
      Pod pod = pod(container("app", "debian:12")).editMetadata().addToLabels("kulp.io/inject", "enabled")
          .endMetadata().build();

      injector.inject(pod, ns, OPTED_IN);

      assertThat(pod.getSpec().getInitContainers()).as(ns).isEmpty();
      assertThat(pod.getSpec().getContainers().get(0).getEnv()).as(ns).isEmpty();
    }
  }

  @Test
  void anExistingLdPreloadIsKeptAndTheRuntimeAppended() {
    Pod pod = pod(new ContainerBuilder().withName("app").withImage("debian:12")
        .addNewEnv().withName("A").withValue("1").endEnv()
        .addNewEnv().withName("LD_PRELOAD").withValue("/usr/lib/libjemalloc.so.2").endEnv()
        .addNewEnv().withName("B").withValue("$(LD_PRELOAD)").endEnv().build()).build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(named(pod, "app").getEnv()).extracting(EnvVar::getName).containsExactly("A", "LD_PRELOAD", "B");
    assertThat(env(named(pod, "app"), "LD_PRELOAD")).isEqualTo("/usr/lib/libjemalloc.so.2:/kulp/runtime/libpulp.so");
  }

  @Test
  void aContainerWhoseLdPreloadComesFromValueFromIsSkippedAndTheReasonAnnotated() {
    Pod pod = pod(new ContainerBuilder().withName("app").withImage("debian:12").addNewEnv().withName("LD_PRELOAD")
        .withNewValueFrom().withNewConfigMapKeyRef("preload", "cm", false).endValueFrom().endEnv().build(),
        container("web", "debian:12")).build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(named(pod, "app").getEnv().get(0).getValueFrom()).isNotNull();
    assertThat(named(pod, "app").getVolumeMounts()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(ANNOTATION_INJECTED, "web");
    assertThat(pod.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED))
        .startsWith("app: its LD_PRELOAD comes from valueFrom");
  }

  @Test
  void alpineImagesAreSkippedUnlessTheOwnerNamesTheContainer() {
    Pod guessed = pod(container("app", "nginx:1.27-alpine")).build();
    Pod named = pod(container("app", "nginx:1.27-alpine")).editMetadata()
        .addToAnnotations(ANNOTATION_INJECT_CONTAINERS, "app").endMetadata().build();

    injector.inject(guessed, "shop", OPTED_IN);
    injector.inject(named, "shop", OPTED_IN);

    assertThat(guessed.getSpec().getInitContainers()).isEmpty();
    assertThat(guessed.getSpec().getContainers().get(0).getEnv()).isEmpty();
    assertThat(guessed.getMetadata().getAnnotations()).doesNotContainKey(ANNOTATION_INJECTED);
    assertThat(guessed.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED))
        .contains("app: its image nginx:1.27-alpine looks musl-based (Alpine)");
    assertThat(named.getMetadata().getAnnotations()).containsEntry(ANNOTATION_INJECTED, "app");
  }

  @Test
  void containersListedToSkipOrNotListedToInjectAreLeftAlone() {
    Pod pod = pod(container("a", "debian:12"), container("b", "debian:12"), container("c", "debian:12"))
        .editMetadata().addToAnnotations(ANNOTATION_INJECT_CONTAINERS, "a, b").addToAnnotations(
            ANNOTATION_SKIP_CONTAINERS, "b").endMetadata().build();

    injector.inject(pod, "shop", OPTED_IN_BASELINE);

    assertThat(pod.getMetadata().getAnnotations()).containsEntry(ANNOTATION_INJECTED, "a");
    assertThat(pod.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED))
        .isEqualTo("b: listed in kulp.io/skip-containers; c: not listed in kulp.io/inject-containers");
  }

  @Test
  void injectingAnInjectedPodAgainChangesNothing() {
    Pod pod = pod(new ContainerBuilder().withName("app").withImage("debian:12").addNewEnv().withName("LD_PRELOAD")
        .withValue("/x.so").endEnv().build()).build();
    injector.inject(pod, "shop", OPTED_IN);
    String once = Serialization.asJson(pod);

    injector.inject(pod, "shop", OPTED_IN);
    Pod withoutAnnotation = Serialization.clone(pod);
    withoutAnnotation.getMetadata().getAnnotations().remove(ANNOTATION_INJECTED);
    injector.inject(withoutAnnotation, "shop", OPTED_IN);

    assertThat(Serialization.asJson(pod)).isEqualTo(once);
    assertThat(env(named(withoutAnnotation, "app"), "LD_PRELOAD")).isEqualTo("/x.so:/kulp/runtime/libpulp.so");
    assertThat(withoutAnnotation.getSpec().getInitContainers()).hasSize(1);
  }

  @Test
  void underPodSecurityRestrictedTheInitContainerRunsAsNonRootAndNoStagingDirectoryIsAdded() {
    Pod pod = pod(container("app", "debian:12")).build();

    injector.inject(pod, "shop", Map.of("kulp.io/inject", "enabled", "pod-security.kubernetes.io/enforce", "restricted"));

    Container init = pod.getSpec().getInitContainers().get(0);
    assertThat(init.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(init.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(init.getCommand()).doesNotContain("--sticky");
    assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("kulp-runtime");
    assertThat(named(pod, "app").getVolumeMounts()).extracting(VolumeMount::getMountPath).containsExactly("/kulp/runtime");
    assertThat(pod.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED))
        .startsWith("staging: the namespace enforces Pod Security restricted");
  }

  @Test
  void aPodThatAsksToRunAsNonRootGetsANonRootInitContainer() {
    Pod pod = pod(container("app", "debian:12")).editSpec().withNewSecurityContext().withRunAsNonRoot(true)
        .endSecurityContext().endSpec().build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(pod.getSpec().getInitContainers().get(0).getSecurityContext().getRunAsUser()).isEqualTo(65532L);
  }

  @Test
  void aWindowsPodIsLeftAsItIsWithTheReason() {
    Pod pod = pod(container("app", "mcr.microsoft.com/windows/servercore:ltsc2022")).editSpec().withNewOs("windows")
        .endSpec().build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(pod.getSpec().getInitContainers()).isEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getEnv()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations()).containsOnlyKeys(ANNOTATION_INJECT_SKIPPED);
  }

  @Test
  void aPodThatAlreadyHasAVolumeOfTheWebhooksNameIsLeftAloneRatherThanMadeInvalid() {
    Pod pod = pod(container("app", "debian:12")).editSpec().addNewVolume().withName("kulp-staging").withNewEmptyDir()
        .endEmptyDir().endVolume().endSpec().build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(pod.getSpec().getVolumes()).hasSize(1);
    assertThat(pod.getSpec().getInitContainers()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED))
        .isEqualTo("pod: it already has a volume named kulp-staging");
  }

  @Test
  void aContainerThatAlreadyMountsSomethingBelowKulpIsSkipped() {
    Pod pod = pod(new ContainerBuilder().withName("app").withImage("debian:12").addNewVolumeMount().withName("x")
        .withMountPath("/kulp").endVolumeMount().build()).build();

    injector.inject(pod, "shop", OPTED_IN);

    assertThat(pod.getSpec().getInitContainers()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations().get(ANNOTATION_INJECT_SKIPPED))
        .isEqualTo("app: it already mounts something at /kulp");
  }

  @Test
  void ldPreloadIsAppendedOnceWhateverTheSeparator() {
    assertThat(LdPreload.withRuntime(null, "/r.so")).isEqualTo("/r.so");
    assertThat(LdPreload.withRuntime(" ", "/r.so")).isEqualTo("/r.so");
    assertThat(LdPreload.withRuntime("/a.so /b.so", "/r.so")).isEqualTo("/a.so /b.so:/r.so");
    assertThat(LdPreload.withRuntime("/a.so:/r.so", "/r.so")).isEqualTo("/a.so:/r.so");
  }

  @Test
  void imagesNamingAlpineOrMuslInTheirLastPartLookMusl() {
    assertThat(InjectionPolicy.looksMusl("alpine:3.20")).isTrue();
    assertThat(InjectionPolicy.looksMusl("docker.io/library/python:3.12-alpine3.20")).isTrue();
    assertThat(InjectionPolicy.looksMusl("ghcr.io/x/app-musl@sha256:abc")).isTrue();
    assertThat(InjectionPolicy.looksMusl("alpine.registry.example/app:1")).isFalse();
    assertThat(InjectionPolicy.looksMusl("debian:12")).isFalse();
    assertThat(InjectionPolicy.looksMusl(null)).isFalse();
  }
}
