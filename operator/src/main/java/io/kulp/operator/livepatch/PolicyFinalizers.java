package io.kulp.operator.livepatch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    editAll(false, finalizers -> {
      if (!finalizers.contains(UninstallGuard.FINALIZER)) {
        finalizers.add(UninstallGuard.FINALIZER);
      }
      return finalizers;
    });
  }

  /**
   * Each binding before its policy: a policy marked for deletion goes as soon as it is let go, and
   * the API server validates a binding's write against its policy, which must still be there.
   */
  @Override
  public void release() {
    editAll(true, finalizers -> {
      finalizers.remove(UninstallGuard.FINALIZER);
      return finalizers;
    });
  }

  private void editAll(boolean bindingsFirst, UnaryOperator<List<String>> change) {
    List<String> missing = new ArrayList<>();
    objects(bindingsFirst).forEach(o -> {
      if (!edit(o.resource(), change)) {
        missing.add(o.name());
      }
    });
    if (!missing.isEmpty()) {
      log.warn("kulp's admission policies are not all installed, or the operator may not read them"
          + " (missing: {}): the uninstall guard is not complete; apply deploy/ (kubectl apply"
          + " --server-side -k deploy/)", missing);
    }
  }

  /** One of the six objects, {@code kind/name} for the log. */
  private record PolicyObject(String name, Resource<? extends HasMetadata> resource) {}

  private Stream<PolicyObject> objects(boolean bindingsFirst) {
    var v1 = client.admissionRegistration().v1();
    return POLICIES.stream().flatMap(name -> {
      var policy = new PolicyObject("validatingadmissionpolicy/" + name,
          v1.validatingAdmissionPolicies().withName(name));
      var binding = new PolicyObject("validatingadmissionpolicybinding/" + name,
          v1.validatingAdmissionPolicyBindings().withName(name));
      return bindingsFirst ? Stream.of(binding, policy) : Stream.of(policy, binding);
    });
  }

  /**
   * Changes the object's finalizers, only if they change, by a merge patch on the version read (a
   * concurrent change makes it fail with 409, and the caller tries again): false when the object
   * is absent or the operator may not read it.
   */
  private static <T extends HasMetadata> boolean edit(Resource<T> object, UnaryOperator<List<String>> change) {
    T current;
    try {
      current = object.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
        throw e;
      }
      return false;
    }
    if (current == null) {
      return false;
    }
    List<String> before = current.getMetadata().getFinalizers() == null ? List.of()
        : current.getMetadata().getFinalizers();
    List<String> after = change.apply(new ArrayList<>(before));
    if (after.equals(before)) {
      return true;
    }
    try {
      object.patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata",
          Map.of("finalizers", after, "resourceVersion", current.getMetadata().getResourceVersion()))));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
      return false;
    }
    return true;
  }
}
