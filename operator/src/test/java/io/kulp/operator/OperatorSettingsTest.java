package io.kulp.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void defaultsSuitAReplicatedInClusterDeployment() {
    var s = OperatorSettings.fromEnv(Map.of("HOSTNAME", "kulp-operator-7d9f"));

    assertThat(s.namespace()).isEqualTo("kulp-system");
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.exitWhenNoLongerLeader()).isTrue();
    assertThat(s.identity()).isEqualTo("kulp-operator-7d9f");
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.bindAddress()).isEqualTo("0.0.0.0");
  }

  @Test
  void everySettingComesFromItsKulpVariable() {
    var s = OperatorSettings.fromEnv(Map.of("KULP_OPERATOR_NAMESPACE", "kulp-system",
        "KULP_LEADER_ELECTION", "false", "KULP_LEASE_NAME", "lease", "KULP_POD_NAME", "pod-1",
        "KULP_HTTP_PORT", "9090", "KULP_HTTP_BIND_ADDRESS", "127.0.0.1"));

    assertThat(s).isEqualTo(new OperatorSettings("kulp-system", false, "lease", "pod-1", true,
        9090, "127.0.0.1"));
  }
}
