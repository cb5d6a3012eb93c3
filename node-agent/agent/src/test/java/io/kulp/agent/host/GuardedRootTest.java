package io.kulp.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which host uid is the container's root, from the process's uid_map as the host reads it. */
class GuardedRootTest {

  @Test
  void withoutAUserNamespaceTheContainersRootIsTheHostsRoot() {
    assertThat(GuardedRoot.hostUidOfRoot(List.of("         0          0 4294967295"))).isZero();
  }

  @Test
  void inAUserNamespaceTheContainersRootIsTheHostUidItMapsTo() {
    assertThat(GuardedRoot.hostUidOfRoot(List.of("         0     100000      65536"))).isEqualTo(100000);
  }

  @Test
  void aUserNamespaceThatMapsNoRootHasNone() {
    assertThat(GuardedRoot.hostUidOfRoot(List.of("      1000     101000          1"))).isEqualTo(-1);
    assertThat(GuardedRoot.hostUidOfRoot(List.of())).isEqualTo(-1);
  }
}
