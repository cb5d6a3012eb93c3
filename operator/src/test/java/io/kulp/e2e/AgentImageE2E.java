package io.kulp.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.api.KulpConstants;
import io.kulp.api.v1alpha1.Action;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.Mode;
import io.kulp.testing.Fixtures;
import io.kulp.testing.docker.DockerCli;
import io.kulp.testing.docker.FixtureContainer;
import io.kulp.testing.docker.ScratchImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The images of deploy/images, built here (on a local Java base instead of a pulled one), and the
 * agent image run with exactly the DaemonSet's privileges: it patches a container, and the revert
 * removes the patch again. The operator image is built too (its Dockerfile and launcher checked).
 */
class AgentImageE2E {
  static final String NODE = "e2e-image";

  @Test
  void theAgentImageWithTheDaemonSetsPrivilegesPatchesAndRevertsAContainer() throws Exception {
    Path repo = Path.of(System.getProperty("kulp.repoRoot", "..")).toAbsolutePath().normalize();
    try (ScratchImage base = LocalImages.javaBase();
        E2EEnvironment env = E2EEnvironment.start(NODE);
        KfixWorkload workload = new KfixWorkload(env.client())) {
      String agentImage = LocalImages.build(repo, "agent", base, List.of(agentJar(repo),
          "node-agent/agent/target/agent-lib", "node-agent/agent/kulp-agent", "node-agent/cli/target/ulp", cliJar(repo),
          "node-agent/cli/target/lib", "node-agent/cli/target/native", "runtime-c/target/image/libpulp.so"));
      String operatorImage = LocalImages.build(repo, "operator", base, List.of("operator/target/kulp-operator.jar",
          "operator/target/lib", "operator/kulp-operator"));
      try {
        assertThat(DockerCli.run("run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", operatorImage, "-c",
            "ls /opt/kulp/kulp-operator.jar /opt/kulp/lib | head -n 1")).isEqualTo("/opt/kulp/kulp-operator.jar");
        env.agent(NODE).close(); // the host-process agent makes room for the image's
        try (AgentContainer agent = AgentContainer.start(agentImage, NODE, env.agentKubeconfig(NODE),
            env.daemonSetCapabilities())) {
          ScratchImage image = workload.image("kfix-image", Fixtures.library());
          FixtureContainer c = workload.start(image);
          workload.pod("image-a", NODE, "image", c);
          E2ELivePatches livePatches = new E2ELivePatches(env.client());
          String sha = livePatches.configMap("image-v2", Fixtures.patch("value_v2"));

          livePatches.create(E2ELivePatches.livePatch("image", "image", Action.Apply, Mode.OneShot, "image-v2", sha));
          LivePatch done = livePatches.awaitCondition("image", KulpConstants.CONDITION_COMPLETE, 1,
              () -> env.logs() + "\n--- agent container ---\n" + agent.logs());
          assertThat(KfixWorkload.value(c)).isEqualTo(2);
          assertThat(done.getStatus().processes.patched).isEqualTo(1);
          // An administrator's view from inside the agent: the image's own ulp, on the node's processes.
          assertThat(agent.exec("ulp", "patches", "-p", Integer.toString(c.hostPid())))
              .contains("on libkfix.so.1").contains("kfix_value -> kfix_value_v2");

          livePatches.delete("image");
          livePatches.awaitGone("image");
          assertThat(KfixWorkload.value(c)).isEqualTo(1);
          JsonLogLines log = JsonLogLines.parse("agent container", agent.logs());
          assertThat(log.messages()).contains("kulp agent started");
          assertThat(log.levels()).doesNotContain("ERROR");
        }
      } finally {
        DockerCli.run("rmi", "--force", agentImage, operatorImage);
      }
    }
  }

  private static String cliJar(Path repo) throws Exception {
    try (Stream<Path> jars = Files.list(repo.resolve("node-agent/cli/target"))) {
      return jars.map(p -> p.getFileName().toString()).filter(n -> n.matches("cli-.*[0-9T]\\.jar"))
          .findFirst().map(n -> "node-agent/cli/target/" + n).orElseThrow();
    }
  }

  private static String agentJar(Path repo) throws Exception {
    try (Stream<Path> jars = Files.list(repo.resolve("node-agent/agent/target"))) {
      return jars.map(p -> p.getFileName().toString()).filter(n -> n.matches("agent-.*[0-9T]\\.jar"))
          .findFirst().map(n -> "node-agent/agent/target/" + n).orElseThrow();
    }
  }
}
