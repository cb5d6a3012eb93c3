package io.kulp.operator.bench;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How deploy/ runs the operator's JVM, read from deploy/operator/deployment.yaml so that the bench
 * measures what deploy/ ships: the container's JAVA_OPTS, its MALLOC_* variables, and its memory
 * limit, which a container gives the JVM as its RAM ({@code -XX:MaxRAM} here, outside a
 * container).
 *
 * @param jvmOptions {@code -XX:MaxRAM=<limit>} then JAVA_OPTS, as the launcher passes them
 * @param environment the MALLOC_* variables of the container
 * @param memoryLimitMib the container's memory limit
 */
record DeployedOperatorJvm(List<String> jvmOptions, Map<String, String> environment,
    long memoryLimitMib) {

  static final Path DEPLOYMENT = Path.of("deploy", "operator", "deployment.yaml");

  /** Read from the repository holding the working directory (its root or a module). */
  static DeployedOperatorJvm read() throws IOException {
    Path file = Files.exists(DEPLOYMENT) ? DEPLOYMENT : Path.of("..").resolve(DEPLOYMENT);
    for (String document : Files.readString(file).split("(?m)^---$")) {
      if (document.contains("\nkind: Deployment\n")) {
        return of(Serialization.unmarshal(document, Deployment.class));
      }
    }
    throw new IOException("no Deployment in " + file);
  }

  static DeployedOperatorJvm of(Deployment deployment) {
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> "operator".equals(c.getName())).findFirst().orElseThrow();
    long limit = Quantity.getAmountInBytes(operator.getResources().getLimits().get("memory"))
        .longValueExact();
    List<String> options = new ArrayList<>();
    options.add("-XX:MaxRAM=" + limit);
    Map<String, String> environment = new LinkedHashMap<>();
    for (EnvVar e : operator.getEnv()) {
      if ("JAVA_OPTS".equals(e.getName())) {
        options.addAll(List.of(e.getValue().trim().split("\\s+")));
      } else if (e.getName().startsWith("MALLOC_")) {
        environment.put(e.getName(), e.getValue());
      }
    }
    return new DeployedOperatorJvm(List.copyOf(options), Map.copyOf(environment),
        limit / (1024 * 1024));
  }
}
