package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kulp.api.KulpConstants;
import io.kulp.api.Sha256;
import io.kulp.api.StagedPatchName;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.FailurePolicy;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.api.v1alpha1.NodePhase;
import io.kulp.api.v1alpha1.OnFailure;
import io.kulp.api.v1alpha1.ProcessRecord;
import io.kulp.api.v1alpha1.ProcessResult;
import io.kulp.engine.Engine;
import io.kulp.engine.PtraceEngine;
import io.kulp.operator.testing.MonitoringComponent;
import io.kulp.operator.testing.PromCheck;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kulp from end to end: `kubectl apply -k deploy/` on a real API server, the packaged operator and
 * two node agents (nodes e2e-a and e2e-b) as host processes with their ServiceAccounts' RBAC and
 * the DaemonSet's capabilities, and kfix-driver processes in real docker containers that print
 * their library's behaviour. Each test uses its own pods (label app) and LivePatch.
 */
class LivePatchE2E {
  static final String NODE_A = "e2e-a";
  static final String NODE_B = "e2e-b";

  private static E2EEnvironment env;
  private static KfixWorkload workload;
  private static ScratchImage image;
  private static E2ELivePatches livePatches;
  private static String v2Sha;
  /** What Prometheus asks for: OpenMetrics first. */
  static final String OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
  static final String TEXT_FORMAT = "text/plain;version=0.0.4";
  private static final Engine ENGINE = new PtraceEngine(PtraceEngine.Options.defaults());

  @BeforeAll
  static void startEverything() {
    env = E2EEnvironment.start(NODE_A, NODE_B);
    workload = new KfixWorkload(env.client());
    image = workload.image("kfix", Fixtures.library());
    livePatches = new E2ELivePatches(env.client());
    v2Sha = livePatches.configMap("value-v2", Fixtures.patch("value_v2"));
  }

  @AfterAll
  static void stopEverything() {
    if (workload != null) {
      workload.close();
    }
    if (env != null) {
      env.close();
    }
    ENGINE.close();
  }

  @Test
  void aLivePatchChangesTheProcessesInContainersAndDeletingItRevertsThem() throws Exception {
    FixtureContainer a1 = workload.start(image);
    FixtureContainer a2 = workload.start(image);
    FixtureContainer b1 = workload.start(image);
    workload.pod("life-a1", NODE_A, "life", a1);
    workload.pod("life-a2", NODE_A, "life", a2);
    workload.pod("life-b1", NODE_B, "life", b1);
    assertThat(List.of(a1, a2, b1)).allSatisfy(c -> assertThat(KfixWorkload.value(c)).isEqualTo(1));

    livePatches.create(E2ELivePatches.livePatch("life", "life", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
    LivePatch done = livePatches.awaitCondition("life", KulpConstants.CONDITION_COMPLETE, 2, env::logs);

    assertThat(List.of(a1, a2, b1)).allSatisfy(c -> assertThat(KfixWorkload.value(c)).isEqualTo(2));
    assertThat(done.getStatus().processes.patched).isEqualTo(3);
    assertThat(done.getStatus().nodesDone).isEqualTo("2/2");
    LivePatchNode onA = node("life", NODE_A);
    assertThat(onA.getStatus().phase).isEqualTo(NodePhase.Succeeded);
    assertThat(onA.getStatus().summary.applied).isEqualTo(2);
    assertThat(onA.getStatus().records).extracting(r -> r.hostPID, r -> r.result, r -> r.containerID)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple((long) a1.hostPid(), ProcessResult.Applied, a1.containerId()),
            org.assertj.core.groups.Tuple.tuple((long) a2.hostPid(), ProcessResult.Applied, a2.containerId()));
    assertThat(node("life", NODE_B).getStatus().records).extracting(r -> r.hostPID)
        .containsExactly((long) b1.hostPid());
    Path staged = stagedIn(a1, v2Sha);
    assertThat(staged).exists();
    await("Events about life").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(env.client().v1()
        .events().inNamespace("default").withField("involvedObject.name", "life").list().getItems())
        .extracting(io.fabric8.kubernetes.api.model.Event::getReason)
        .contains(KulpConstants.EVENT_NODE_STARTED, KulpConstants.REASON_ALL_NODES_DONE));

    livePatches.delete("life");
    livePatches.awaitGone("life");

    assertThat(List.of(a1, a2, b1)).allSatisfy(c -> assertThat(KfixWorkload.value(c)).isEqualTo(1));
    assertThat(ENGINE.read(a1.hostPid()).patches()).isEmpty();
    assertThat(staged).doesNotExist();
  }

  @Test
  void aContainerWhoseMainThreadHasExitedIsPatchedAndRevertedThroughItsOtherThreads() throws Exception {
    // pthread_exit unwinds the thread with libgcc_s, which it loads then: not an ldd dependency.
    try (ScratchImage withLibgcc = workload.image("kfix-libgcc", Fixtures.library(),
        Path.of("/lib/x86_64-linux-gnu/libgcc_s.so.1"))) {
      FixtureContainer c = workload.start(withLibgcc);
      int pid = c.hostPid();
      c.send("leave"); // kfix-driver's main thread: pthread_exit; another thread answers from now on
      c.awaitLine(l -> l.equals("leave=1"));
      // The main thread is a zombie with no memory map and no root: only the other threads show them.
      Path own = Path.of("/proc", Integer.toString(pid));
      Path entry = await("the main thread exited").until(
          () -> io.kulp.host.ProcessEntry.of(Path.of("/proc"), pid), p -> !p.equals(own));
      workload.pod("left-a1", NODE_A, "left", c);

      livePatches.create(E2ELivePatches.livePatch("left", "left", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
      livePatches.awaitCondition("left", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

      assertThat(KfixWorkload.value(c)).isEqualTo(2);
      assertThat(node("left", NODE_A).getStatus().records).extracting(r -> r.hostPID, r -> r.result)
          .containsExactly(org.assertj.core.groups.Tuple.tuple((long) pid, ProcessResult.Applied));
      Path staged = entry.resolve("root/tmp/.kulp").resolve(StagedPatchName.of(v2Sha));
      assertThat(staged).exists();

      livePatches.delete("left");
      livePatches.awaitGone("left");
      assertThat(KfixWorkload.value(c)).isEqualTo(1);
      assertThat(staged).doesNotExist();
      // Docker cannot kill a container whose first PID is a zombie: the driver ends it itself.
      c.send("quit");
      await("the process ended").until(() -> !Files.exists(own));
    }
  }

  /**
   * An ordinary image, as a distribution builds it: kfix-plain and the system's own libz.so.1 (no
   * kulp padding anywhere). A LivePatch for libz.so.1 rolls out, and its deletion reverts, exactly
   * as for a prepared library: the agent and the operator do not know the difference.
   */
  @Test
  void aLivePatchForTheDistributionsOwnLibzIsRolledOutAndRevertedLikeAnyOther() throws Exception {
    ScratchImage plain = ScratchImage.builder("e2e-plain")
        .add(Fixtures.fixture("kfix-plain"), "/usr/bin/kfix-plain")
        .add(Fixtures.fixture("libkplain.so.1"), "/usr/bin/libkplain.so.1")
        .add(Fixtures.libpulp(), KfixWorkload.LIBPULP)
        .directory("/tmp").build();
    try (plain; FixtureContainer c = FixtureContainer.builder(plain).preload(KfixWorkload.LIBPULP)
        .command("/usr/bin/kfix-plain").start()) {
      c.awaitLine(l -> l.startsWith("ready"));
      workload.pod("zlib-a", NODE_A, "zlib", c);
      c.send("threads 4");
      c.awaitLine(l -> l.startsWith("threads="));
      assertThat(bound(c)).isEqualTo(1013);
      String sha = livePatches.configMap("zlib-bound", Fixtures.patch("unprepared/zlib_bound"));
      LivePatch lp = E2ELivePatches.livePatch("zlib", "zlib", Action.Apply, Mode.OneShot, "zlib-bound", sha);
      lp.getSpec().library.name = "libz.so.1";
      livePatches.create(lp);
      LivePatch done = livePatches.awaitCondition("zlib", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
      assertThat(done.getStatus().processes.patched).isEqualTo(1);
      assertThat(bound(c)).isEqualTo(2013);

      livePatches.delete("zlib");
      livePatches.awaitGone("zlib");
      assertThat(bound(c)).isEqualTo(1013);
      assertThat(ENGINE.read(c.hostPid()).patches()).isEmpty();
      c.send("stats");
      assertThat(c.awaitLine(l -> l.startsWith("stats"))).endsWith("unexpected=0");
    }
  }

  private static long bound(FixtureContainer c) {
    c.send("bound 1000");
    return Long.parseLong(c.awaitLine(l -> l.startsWith("bound=")).substring("bound=".length()));
  }

  @Test
  void revertAllRollsBackPatchesAppliedWithTheCliOutsideTheOperator() throws Exception {
    Path patches = Fixtures.patchesDir();
    FixtureContainer c = workload.start(image, "--volume=" + patches + ":" + patches + ":ro");
    workload.pod("cli-a", NODE_A, "cli", c);
    for (String patch : List.of("value_v2", "value_v3")) {
      Process trigger = new ProcessBuilder(Fixtures.ulp().toString(), "trigger", "-p", Integer.toString(c.hostPid()),
          Fixtures.patch(patch).toString()).redirectErrorStream(true).start();
      String output = new String(trigger.getInputStream().readAllBytes());
      assertThat(trigger.waitFor()).as("ulp trigger " + patch + ": " + output).isZero();
    }
    assertThat(KfixWorkload.value(c)).isEqualTo(3);

    livePatches.create(E2ELivePatches.livePatch("cli-revert-all", "cli", Action.RevertAll, Mode.OneShot, null, null));
    LivePatch done = livePatches.awaitCondition("cli-revert-all", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

    assertThat(KfixWorkload.value(c)).isEqualTo(1);
    assertThat(ENGINE.read(c.hostPid()).patches()).isEmpty();
    assertThat(done.getStatus().processes.patched).isEqualTo(1);
    assertThat(node("cli-revert-all", NODE_A).getStatus().summary.reverted).isEqualTo(1);
  }

  @Test
  void aContainerStartedAfterCompleteIsPatchedInContinuousMode() {
    FixtureContainer first = workload.start(image);
    workload.pod("later-a1", NODE_A, "later", first);
    livePatches.create(E2ELivePatches.livePatch("later", "later", Action.Apply, Mode.Continuous, "value-v2", v2Sha));
    livePatches.awaitCondition("later", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
    assertThat(KfixWorkload.value(first)).isEqualTo(2);

    FixtureContainer second = workload.start(image);
    assertThat(KfixWorkload.value(second)).isEqualTo(1);
    long started = System.nanoTime();
    workload.pod("later-b1", NODE_B, "later", second);

    await("the later container patched").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> KfixWorkload.value(second) == 2);
    System.out.printf("continuous mode: a container started after Complete was patched %d ms after its pod appeared%n",
        (System.nanoTime() - started) / 1_000_000);
    livePatches.awaitCondition("later", KulpConstants.CONDITION_COMPLETE, 2, env::logs);
    assertThat(node("later", NODE_B).getStatus().summary.applied).isEqualTo(1);
  }

  @Test
  void aProcessStartedLaterInsideAPatchedContainerIsFoundByTheProcRescan() throws Exception {
    FixtureContainer c = workload.start(image);
    workload.pod("rescan-a1", NODE_A, "rescan", c);
    livePatches.create(E2ELivePatches.livePatch("rescan", "rescan", Action.Apply, Mode.Continuous, "value-v2", v2Sha));
    livePatches.awaitCondition("rescan", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
    String patchId = io.kulp.patch.PatchContainer.read(Fixtures.patch("value_v2")).apply().id().hex();
    var containers = new io.kulp.host.HostContainerProcesses(io.kulp.host.HostPaths.system());
    var id = io.kulp.host.ContainerId.parse(c.containerId());

    // A second process in the same container: no pod event, no new spec; only the rescan sees it.
    Process exec = new ProcessBuilder("docker", "exec", "-i", "--env", "LD_PRELOAD=" + KfixWorkload.LIBPULP, c.id(),
        KfixWorkload.DRIVER).redirectErrorStream(true).start();
    try {
      int second = await("the second process").atMost(Duration.ofSeconds(20)).until(() -> containers.find(id).stream()
          .mapToInt(io.kulp.host.ContainerProcess::hostPid).filter(pid -> pid != c.hostPid()).findFirst().orElse(0),
          pid -> pid > 0);
      await("the second process patched").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions().until(() -> ENGINE.read(second).patches().stream().anyMatch(p -> p.id().equals(patchId)));
      await().atMost(Duration.ofSeconds(10)).until(() -> node("rescan", NODE_A).getStatus().summary.applied == 2);
    } finally {
      exec.destroyForcibly();
    }
  }

  @Test
  void aContainerWithAnotherBuildOfTheLibraryIsReportedSkippedWithTheReason() throws Exception {
    try (ScratchImage other = workload.image("kfix-other", Fixtures.otherLibrary())) {
      FixtureContainer same = workload.start(image);
      FixtureContainer different = workload.start(other);
      workload.pod("build-same", NODE_A, "build", same);
      workload.pod("build-other", NODE_A, "build", different);
      int otherBuildValue = KfixWorkload.value(different); // the other build's own answer

      livePatches.create(E2ELivePatches.livePatch("build", "build", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
      LivePatch done = livePatches.awaitCondition("build", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

      assertThat(KfixWorkload.value(same)).isEqualTo(2);
      assertThat(KfixWorkload.value(different)).isEqualTo(otherBuildValue);
      assertThat(ENGINE.read(different.hostPid()).patches()).isEmpty();
      assertThat(done.getStatus().processes.patched).isEqualTo(1);
      assertThat(done.getStatus().processes.skipped).isEqualTo(1);
      LivePatchNode lpn = node("build", NODE_A);
      assertThat(lpn.getStatus().phase).isEqualTo(NodePhase.Succeeded);
      ProcessRecord skipped = lpn.getStatus().records.get(0);
      assertThat(skipped.result).isEqualTo(ProcessResult.Skipped);
      assertThat(skipped.hostPID).isEqualTo(different.hostPid());
      assertThat(skipped.reason).contains("buildid mismatch");
      assertThat(stagedIn(different, v2Sha)).doesNotExist();
    }
  }

  @Test
  void aOneShotNodeNamesTheTargetedContainersThatHaveNotStarted() throws Exception {
    FixtureContainer running = workload.start(image);
    workload.pod("pending-a1", NODE_A, "pending", running);
    workload.pendingPod("pending-a2", NODE_A, "pending");

    livePatches.create(E2ELivePatches.livePatch("pending", "pending", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
    LivePatch done = livePatches.awaitCondition("pending", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

    assertThat(done.getStatus().message).contains("notes: " + NODE_A + ": not patched, not started yet: "
        + E2EEnvironment.NAMESPACE + "/pending-a2/app");
    assertThat(KfixWorkload.value(running)).isEqualTo(2);
    LivePatchNode lpn = node("pending", NODE_A);
    assertThat(lpn.getSpec().targets).hasSize(2);
    assertThat(lpn.getStatus().summary.applied).isEqualTo(1);
    assertThat(lpn.getStatus().message)
        .contains("not patched, not started yet: " + E2EEnvironment.NAMESPACE + "/pending-a2/app")
        .contains("Continuous");
  }

  @Test
  void aPatchWhoseBytesDoNotMatchSha256IsRefusedAndNothingIsInjected() throws Exception {
    FixtureContainer c = workload.start(image);
    workload.pod("digest-a", NODE_A, "digest", c);
    // the digest of value_v4, which no test serves: an agent holds no verified bytes for it
    String unservedSha = Sha256.of(Files.readAllBytes(Fixtures.patch("value_v4")));

    livePatches.create(E2ELivePatches.livePatch("digest", "digest", Action.Apply, Mode.OneShot, "value-v2", unservedSha));
    LivePatch lp = livePatches.awaitCondition("digest", KulpConstants.CONDITION_DEGRADED, 1, env::logs);

    LivePatchNode lpn = node("digest", NODE_A);
    assertThat(lpn.getStatus().phase).isEqualTo(NodePhase.Failed);
    assertThat(lpn.getStatus().message).contains("sha256").contains(v2Sha).contains(unservedSha);
    assertThat(lp.getStatus().message).contains("sha256");
    assertThat(KfixWorkload.value(c)).isEqualTo(1);
    assertThat(ENGINE.read(c.hostPid()).patches()).isEmpty();
    assertThat(Path.of("/proc", Integer.toString(c.hostPid()), "root", "tmp", ".kulp")).doesNotExist();
  }

  @Test
  void aNodeThatFailedIsStartedAgainWhenTheRolloutsRetryValueChanges() throws Exception {
    FixtureContainer c = workload.start(image);
    workload.pod("retry-a1", NODE_A, "retry", c);
    // A process stopped by job control cannot be patched now, but can be later: a transient failure.
    signal("STOP", c.hostPid());
    try {
      livePatches.create(E2ELivePatches.livePatch("retry", "retry", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
      livePatches.awaitCondition("retry", KulpConstants.CONDITION_DEGRADED, 1, env::logs);
      LivePatchNode failed = node("retry", NODE_A);
      assertThat(failed.getStatus().phase).isEqualTo(NodePhase.Failed);
      assertThat(failed.getStatus().records).extracting(r -> r.hostPID, r -> r.result)
          .containsExactly(org.assertj.core.groups.Tuple.tuple((long) c.hostPid(), ProcessResult.Failed));
      assertThat(failed.getStatus().records.get(0).reason).contains("stopped (job control)");
    } finally {
      signal("CONT", c.hostPid());
    }
    assertThat(KfixWorkload.value(c)).isEqualTo(1);

    livePatches.editSpec("retry", spec -> spec.rollout.retry = "after kill -CONT");

    livePatches.awaitCondition("retry", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
    assertThat(KfixWorkload.value(c)).isEqualTo(2);
    LivePatchNode retried = node("retry", NODE_A);
    assertThat(retried.getSpec().retry).isEqualTo("after kill -CONT");
    assertThat(retried.getStatus().phase).isEqualTo(NodePhase.Succeeded);
    assertThat(ENGINE.read(c.hostPid()).patches()).hasSize(1);
  }

  @Test
  void aFunctionOfTheMainProgramIsPatchedByALivePatchNamingTheExecutable() {
    try (ScratchImage program = ScratchImage.builder("e2e-kfix-main")
        .add(Fixtures.fixture("kfix-main"), "/usr/bin/kfix-main")
        .add(Fixtures.libpulp(), KfixWorkload.LIBPULP)
        .directory("/tmp").build()) {
      FixtureContainer c = workload.startCommand(program, "ready", "/usr/bin/kfix-main");
      workload.pod("main-a1", NODE_A, "main", c);
      String sha = livePatches.configMap("main-value-v2", Fixtures.patch("main_value_v2"));
      LivePatch lp = E2ELivePatches.livePatch("main", "main", Action.Apply, Mode.OneShot, "main-value-v2", sha);
      lp.getSpec().library.name = "kfix-main";

      livePatches.create(lp);
      LivePatch done = livePatches.awaitCondition("main", KulpConstants.CONDITION_COMPLETE, 1, env::logs);

      assertThat(done.getStatus().processes.patched).isEqualTo(1);
      assertThat(KfixWorkload.value(c)).isEqualTo(2);
      livePatches.delete("main");
      livePatches.awaitGone("main");
      assertThat(KfixWorkload.value(c)).isEqualTo(1);
    }
  }

  @Test
  void aTenantsHostileProcessesFailAloneAndCannotRollThePatchBackForEveryone() throws Exception {
    String tenant = "e2e-tenant";
    env.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(tenant).endMetadata()
        .build()).create();
    try (ScratchImage fake = workload.imageWithRuntime("kfix-fake-runtime", Fixtures.library(),
        Fixtures.fakeRuntime())) {
      FixtureContainer a1 = workload.start(image);
      FixtureContainer b1 = workload.start(image);
      // The tenant's own containers, matching the same selector: a runtime that names a thread that
      // is not its own as its helper, and one that answers COMMITTING forever.
      FixtureContainer foreignHelper = workload.start(fake, Map.of("KULP_FAKE", "tid:4242"));
      FixtureContainer committing = workload.start(fake, Map.of("KULP_FAKE", "committing"));
      workload.pod("tenancy-a1", NODE_A, "tenancy", a1);
      workload.pod("tenancy-b1", NODE_B, "tenancy", b1);
      workload.pod(tenant, "evil-a", NODE_A, "tenancy", foreignHelper);
      workload.pod(tenant, "evil-b", NODE_B, "tenancy", committing);
      LivePatch lp = E2ELivePatches.livePatch("tenancy", "tenancy", Action.Apply, Mode.OneShot, "value-v2", v2Sha);
      lp.getSpec().rollout.failurePolicy = new FailurePolicy();
      lp.getSpec().rollout.failurePolicy.onFailure = OnFailure.RevertCompleted;
      lp.getSpec().rollout.failurePolicy.namespaceSelector = new LabelSelectorBuilder()
          .addToMatchLabels("kubernetes.io/metadata.name", E2EEnvironment.NAMESPACE).build();

      livePatches.create(lp);
      LivePatch done = livePatches.awaitCondition("tenancy", KulpConstants.CONDITION_COMPLETE, 2, env::logs);

      assertThat(List.of(a1, b1)).allSatisfy(c -> assertThat(KfixWorkload.value(c)).isEqualTo(2));
      assertThat(done.getStatus().processes.patched).isEqualTo(2);
      assertThat(done.getStatus().processes.failed).isEqualTo(2);
      assertThat(E2ELivePatches.conditionTrue(done, KulpConstants.CONDITION_DEGRADED)).isFalse();
      assertThat(done.getStatus().message).contains("failed in namespaces the failure policy does not count");
      LivePatchNode onA = node("tenancy", NODE_A);
      LivePatchNode onB = node("tenancy", NODE_B);
      assertThat(List.of(onA, onB)).allSatisfy(n -> {
        assertThat(n.getStatus().phase).isEqualTo(NodePhase.Succeeded);
        assertThat(n.getStatus().message)
            .isEqualTo("1 process(es) failed in namespaces the failure policy does not count (" + tenant + ")");
      });
      assertThat(failure(onA, "evil-a").reason).contains("process " + foreignHelper.hostPid()
          + ": its kulp runtime names thread 4242 as its helper, which is not a thread of process");
      assertThat(failure(onB, "evil-b").reason).contains("timed out waiting for the kulp runtime while it was committing");
      assertThat(List.of(foreignHelper, committing)).allSatisfy(c -> assertThat(KfixWorkload.value(c)).isEqualTo(1));
    }
  }

  private static ProcessRecord failure(LivePatchNode node, String pod) {
    return node.getStatus().records.stream().filter(r -> r.pod.equals(pod) && r.result == ProcessResult.Failed)
        .findFirst().orElseThrow(() -> new AssertionError("no Failed record of " + pod + ": " + node.getStatus().records));
  }

  private static void signal(String name, int pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Integer.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
  }

  @Test
  void aPatchConfigMapAppliedAfterItsLivePatchIsFetchedOnALaterRescan() throws Exception {
    FixtureContainer c = workload.start(image);
    workload.pod("order-a1", NODE_A, "order", c);
    // value_v3: bytes no agent has cached yet (patches are cached by digest, whatever their source)
    String sha = Sha256.of(Files.readAllBytes(Fixtures.patch("value_v3")));
    livePatches.create(E2ELivePatches.livePatch("order", "order", Action.Apply, Mode.OneShot, "order-v3", sha));
    await("the agent waits for the ConfigMap").atMost(Duration.ofSeconds(30)).until(() -> {
      LivePatchNode lpn = livePatches.nodes("order").stream().findFirst().orElse(null);
      return lpn != null && lpn.getStatus() != null && lpn.getStatus().phase == NodePhase.InProgress
          && lpn.getStatus().message != null && lpn.getStatus().message.startsWith("waiting for the patch");
    });

    livePatches.configMap("order-v3", Fixtures.patch("value_v3")); // as GitOps may apply it: afterwards

    livePatches.awaitCondition("order", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
    assertThat(KfixWorkload.value(c)).isEqualTo(3);
  }

  @Test
  void theAgentsServeHealthReadinessAndPrometheusMetrics() throws Exception {
    FixtureContainer c = workload.start(image);
    workload.pod("ops-b1", NODE_B, "ops", c);
    livePatches.create(E2ELivePatches.livePatch("ops", "ops", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
    livePatches.awaitCondition("ops", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
    AgentProcess agent = env.agent(NODE_B);

    assertThat(agent.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(agent.get("/readyz").statusCode()).isEqualTo(200);
    assertThat(agent.get("/metrics").body()).contains("# TYPE kulp_agent_injection_seconds histogram");
    for (String accept : List.of(TEXT_FORMAT, OPENMETRICS)) {
      HttpResponse<String> metrics = agent.get("/metrics", accept);
      PromCheck.Scrape scrape = PromCheck.metrics(metrics.body(), metrics.headers().firstValue("Content-Type").orElseThrow());
      assertThat(scrape.families()).as(accept).containsEntry("kulp_agent_injection_seconds", "histogram")
          .containsEntry("kulp_agent_livepatchnodes", "gauge").containsEntry("process_resident_memory_bytes", "gauge")
          .containsKey("jvm_memory_used_bytes");
      assertThat(scrape.lint()).as("promlint on kulp's metrics").filteredOn(p -> p.startsWith("kulp_")).isEmpty();
    }
    assertThat(agent.metric("kulp_agent_operations_total{action=\"apply\",result=\"applied\"}")).isPositive();
    assertThat(agent.metric("kulp_agent_injection_seconds_count")).isPositive();
    assertThat(agent.metric("kulp_agent_status_writes_total{result=\"ok\"}")).isPositive();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(agent.metric("kulp_agent_processes{result=\"applied\"}")).isPositive());
    JsonLogLines log = JsonLogLines.parse("agent", agent.log());
    assertThat(log.messages()).contains("process " + c.hostPid() + ": Applied");
    assertThat(log.values("livePatchNode")).contains("ops." + NODE_B);
  }

  @Test
  void theAlertRulesAndTheDashboardSelectOnlyMetricsThatTheOperatorAndTheAgentsExport() throws Exception {
    FixtureContainer c = workload.start(image);
    workload.pod("monitored-b1", NODE_B, "monitored", c);
    livePatches.create(E2ELivePatches.livePatch("monitored", "monitored", Action.Apply, Mode.OneShot, "value-v2", v2Sha));
    livePatches.awaitCondition("monitored", KulpConstants.CONDITION_COMPLETE, 1, env::logs);
    MonitoringComponent monitoring = MonitoringComponent.render();
    List<String> exprs = new ArrayList<>(monitoring.alerts().stream().map(MonitoringComponent.Rule::expr).toList());
    exprs.addAll(monitoring.dashboardExpressions());

    Set<String> exported = new TreeSet<>(Set.of("up")); // Prometheus adds "up" to every target it scrapes
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(env.operatorGet("/metrics", TEXT_FORMAT)
        .body()).contains("kulp_livepatch_phase{livepatch=\"monitored\""));
    for (HttpResponse<String> metrics : List.of(env.operatorGet("/metrics", TEXT_FORMAT),
        env.agent(NODE_B).get("/metrics", TEXT_FORMAT), env.agent(NODE_A).get("/metrics", TEXT_FORMAT))) {
      exported.addAll(PromCheck.metrics(metrics.body(), metrics.headers().firstValue("Content-Type").orElseThrow())
          .series());
    }
    List<Set<String>> selected = PromCheck.promql(exprs);

    for (int i = 0; i < exprs.size(); i++) {
      assertThat(exported).as(exprs.get(i)).containsAll(selected.get(i));
    }
  }

  @AfterEach
  void theComponentsWroteOnlyJsonLogEventsWithTimestampsFromTheirFirstLineOn() {
    assertThat(env.parsedLogs()).allSatisfy(log -> assertThat(log.messages()).isNotEmpty());
  }

  @AfterEach
  void theComponentsNeededNoMoreRightsThanDeployGrants() {
    assertThat(env.fullLogs()).doesNotContain("forbidden");
  }

  private static LivePatchNode node(String livePatch, String node) {
    return livePatches.nodes(livePatch).stream().filter(l -> node.equals(l.getSpec().nodeName)).findFirst()
        .orElseThrow(() -> new AssertionError("no LivePatchNode of " + livePatch + " on " + node));
  }

  /** Where the agent stages a patch inside the container, seen from the host. */
  private static Path stagedIn(FixtureContainer c, String sha256) {
    return Path.of("/proc", Integer.toString(c.hostPid()), "root", "tmp", ".kulp", StagedPatchName.of(sha256));
  }
}
