package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link UninstallGuard.Policies} on the API server: kulp's three admission policies and their
 * bindings (deploy/uninstall-guard.yaml, deploy/rbac/agent-own-node.yaml), each named as its
 * policy. The operator may read and patch these six objects by name and no other admission
 * policy, nor create one (deploy/rbac/operator.yaml). One that does not exist (deploy/ not
 * applied, or an older one), or that the operator may not read (deploy/'s RBAC of an older
 * release), is left out with a warning: the guard is then not complete.
 */
final class PolicyFinalizers implements UninstallGuard.Policies {

  /** The names of kulp's admission policies, each also the name of its binding. */
  static final List<String> POLICIES =
      List.of("kulp-uninstall-guard", "kulp-agent-own-node", "kulp-agent-own-lease");

  private static final Logger log = LoggerFactory.getLogger(PolicyFinalizers.class);

  private final KubernetesClient client;

  PolicyFinalizers(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void hold() {
    objects(false).forEach(o -> edit(o, finalizers -> {
      if (!finalizers.contains(UninstallGuard.FINALIZER)) {
        finalizers.add(UninstallGuard.FINALIZER);
      }
      return finalizers;
    }));
  }

  /**
   * Each binding before its policy: a policy marked for deletion goes as soon as it is let go, and
   * the API server validates a binding's write against its policy, which must still be there.
   */
  @Override
  public void release() {
    objects(true).forEach(o -> edit(o, finalizers -> {
      finalizers.remove(UninstallGuard.FINALIZER);
      return finalizers;
    }));
  }

  private Stream<Resource<? extends HasMetadata>> objects(boolean bindingsFirst) {
    var v1 = client.admissionRegistration().v1();
    return POLICIES.stream().flatMap(name -> {
      Resource<? extends HasMetadata> policy = v1.validatingAdmissionPolicies().withName(name);
      Resource<? extends HasMetadata> binding = v1.validatingAdmissionPolicyBindings().withName(name);
      return bindingsFirst ? Stream.of(binding, policy) : Stream.of(policy, binding);
    });
  }

  /** Changes the object's finalizers (a JSON patch, only if they change); absent objects are skipped. */
  private static <T extends HasMetadata> void edit(Resource<T> object, UnaryOperator<List<String>> change) {
    T current;
    try {
      current = object.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
        throw e;
      }
      log.warn("the operator may not read kulp's admission policies: the uninstall guard is not in force;"
          + " apply deploy/'s RBAC (kubectl apply --server-side -k deploy/): {}", e.getMessage());
      return;
    }
    if (current == null) {
      log.warn("an admission policy or binding of kulp is not installed: the uninstall guard is not"
          + " complete; apply deploy/ (kubectl apply --server-side -k deploy/)");
      return;
    }
    List<String> before = current.getMetadata().getFinalizers() == null ? List.of()
        : current.getMetadata().getFinalizers();
    List<String> after = change.apply(new ArrayList<>(before));
    if (after.equals(before)) {
      return;
    }
    try {
      object.edit(o -> {
        o.getMetadata().setFinalizers(change.apply(new ArrayList<>(
            o.getMetadata().getFinalizers() == null ? List.of() : o.getMetadata().getFinalizers())));
        return o;
      });
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }
}
