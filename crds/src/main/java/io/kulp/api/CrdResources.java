package io.kulp.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the CRDs generated at build time (crd-generator-maven-plugin, then
 * {@code io.kulp.api.crdgen.PostProcessCrds}) sit on the classpath of
 * anything that depends on this module. The same files are checked in under deploy/crds/.
 */
public final class CrdResources {

  private CrdResources() {}

  /** Classpath resource of the LivePatch CRD. */
  public static final String LIVEPATCH = "META-INF/fabric8/livepatches.kulp.io-v1.yml";

  /** Classpath resource of the LivePatchNode CRD. */
  public static final String LIVEPATCHNODE = "META-INF/fabric8/livepatchnodes.kulp.io-v1.yml";

  /** Both, in the order to apply them. */
  public static final List<String> ALL = List.of(LIVEPATCH, LIVEPATCHNODE);

  /**
   * Server-side applies both CRDs (field manager {@link KulpConstants#FIELD_MANAGER_OPERATOR}) and
   * waits until the server reports them Established, at most {@code timeoutSeconds} each.
   */
  public static void install(KubernetesClient client, long timeoutSeconds) {
    for (String resource : ALL) {
      CustomResourceDefinition crd;
      try (InputStream in = CrdResources.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + resource + " is not on the classpath");
        }
        crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      client.resource(crd).fieldManager(KulpConstants.FIELD_MANAGER_OPERATOR).forceConflicts()
          .serverSideApply();
      client.resource(crd).waitUntilCondition(c -> c != null && c.getStatus() != null
          && c.getStatus().getConditions() != null
          && c.getStatus().getConditions().stream().anyMatch(
              cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
          timeoutSeconds, TimeUnit.SECONDS);
    }
  }
}
