package io.kulp.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployedOperatorJvmTest {

  @Test
  void runsTheJvmWithTheContainersJavaOptsMallocSettingsAndMemoryLimitAsItsRam() {
    var deployment = new DeploymentBuilder().withNewSpec().withNewTemplate().withNewSpec()
        .addNewContainer().withName("operator")
        .addNewEnv().withName("KULP_POD_NAME").withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("JAVA_OPTS").withValue(" -XX:+UseSerialGC  -XX:MaxRAMPercentage=70 ")
        .endEnv()
        .addNewEnv().withName("MALLOC_ARENA_MAX").withValue("2").endEnv()
        .withNewResources().withLimits(Map.of("memory", new Quantity("512Mi"))).endResources()
        .endContainer().endSpec().endTemplate().endSpec().build();

    var jvm = DeployedOperatorJvm.of(deployment);

    assertThat(jvm.jvmOptions()).containsExactly("-XX:MaxRAM=536870912", "-XX:+UseSerialGC",
        "-XX:MaxRAMPercentage=70");
    assertThat(jvm.environment()).containsExactly(Map.entry("MALLOC_ARENA_MAX", "2"));
    assertThat(jvm.memoryLimitMib()).isEqualTo(512);
  }

  @Test
  void readsTheOperatorContainerOfDeploy() throws Exception {
    var jvm = DeployedOperatorJvm.read();

    assertThat(jvm.jvmOptions().get(0)).startsWith("-XX:MaxRAM=");
    assertThat(jvm.jvmOptions()).contains("-XX:+UseSerialGC");
    assertThat(jvm.memoryLimitMib()).isPositive();
  }

  @Test
  void deployCompilingWithC1OnlyOffersChaCha20FirstSinceItsAesGcmRunsAsPlainJava() throws Exception {
    var options = DeployedOperatorJvm.read().jvmOptions();

    assertThat(options).contains("-XX:TieredStopAtLevel=1");
    var suites = options.stream().filter(o -> o.startsWith("-Djdk.tls.client.cipherSuites="))
        .map(o -> List.of(o.substring(o.indexOf('=') + 1).split(","))).findFirst().orElseThrow();
    assertThat(suites.get(0)).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    assertThat(suites).contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  }
}
