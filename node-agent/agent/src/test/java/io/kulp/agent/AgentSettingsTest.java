package io.kulp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {
  @Test
  void defaultsSuitTheDaemonSet() {
    AgentSettings s = AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "node-1"));

    assertThat(s.nodeName()).isEqualTo("node-1");
    assertThat(s.host().proc()).isEqualTo(Path.of("/proc"));
    assertThat(s.host().cgroupRoot()).isEqualTo(Path.of("/sys/fs/cgroup"));
    assertThat(s.stagingDirs()).containsExactly("/kulp/staging/.kulp", "/tmp/.kulp", "/var/tmp/.kulp", "/run/.kulp", "/dev/shm/.kulp");
    assertThat(s.rescan()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(s.debugStepDelay()).as("no fault injection unless asked for").isZero();
    assertThat(s.namespace()).isEqualTo("kulp-system");
    assertThat(s.leaseDuration()).isEqualTo(Duration.ofSeconds(40));
    assertThat(s.podName()).isEqualTo("kulp-agent-node-1");
  }

  @Test
  void itsLeaseIsHeldByItsPodInItsNamespace() {
    AgentSettings s = AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "n", "KULP_AGENT_NAMESPACE", "ops",
        "KULP_POD_NAME", "kulp-agent-x7k2p", "KULP_LEASE_DURATION_SECONDS", "8"));

    assertThat(s.namespace()).isEqualTo("ops");
    assertThat(s.podName()).isEqualTo("kulp-agent-x7k2p");
    assertThat(s.leaseDuration()).isEqualTo(Duration.ofSeconds(8));
    assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "n", "KULP_LEASE_DURATION_SECONDS", "2")))
        .hasMessageContaining("KULP_LEASE_DURATION_SECONDS");
  }

  @Test
  void theTracerDeathTestsCanSlowTheEngineDownOnlyThroughTheirOwnVariable() {
    AgentSettings s = AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "n", "KULP_DEBUG_STEP_DELAY_MS", "150"));

    assertThat(s.debugStepDelay()).isEqualTo(Duration.ofMillis(150));
  }

  @Test
  void readsEverySettingFromItsVariable() {
    AgentSettings s = AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "n", "KULP_HOST_PROC", "/host/proc",
        "KULP_CGROUP_ROOT", "/host/cgroup", "KULP_STAGING_DIRS", "/opt/patches/:/tmp/k", "KULP_RESCAN_SECONDS", "3",
        "KULP_PARALLELISM", "8", "KULP_HTTP_PORT", "0", "KULP_PATCH_CACHE_DIR", "/c"));

    assertThat(s.host().proc()).isEqualTo(Path.of("/host/proc"));
    assertThat(s.host().cgroupRoot()).isEqualTo(Path.of("/host/cgroup"));
    assertThat(s.stagingDirs()).containsExactly("/opt/patches", "/tmp/k");
    assertThat(s.rescan()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.parallelism()).isEqualTo(8);
    assertThat(s.cacheDir()).isEqualTo(Path.of("/c"));
  }

  @Test
  void refusesToStartWithoutANodeNameOrWithARelativeStagingDirectory() {
    assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of())).hasMessageContaining("KULP_NODE_NAME");
    assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "n", "KULP_STAGING_DIRS", "tmp/x")))
        .hasMessageContaining("KULP_STAGING_DIRS");
    assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("KULP_NODE_NAME", "n", "KULP_STAGING_DIRS", "/tmp/../etc")))
        .hasMessageContaining("KULP_STAGING_DIRS");
  }
}
