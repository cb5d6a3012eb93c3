package io.kulp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API types name their plural and singular (fabric8 would derive them for every object it
 * reads); the names are the ones fabric8 derives from the kind, which the CRDs were first served
 * under: a client and a CRD of an older kulp agree on the resource's URL.
 */
class CrdNamesTest {

  @ParameterizedTest
  @ValueSource(classes = {LivePatch.class, LivePatchNode.class})
  void theNamedPluralAndSingularAreTheDerivedOnes(Class<? extends CustomResource<?, ?>> type)
      throws Exception {
    CustomResource<?, ?> resource = type.getDeclaredConstructor().newInstance();
    String derivedSingular = HasMetadata.getKind(type).toLowerCase(Locale.ROOT);

    assertEquals(derivedSingular, resource.getSingular());
    assertEquals(Pluralize.toPlural(derivedSingular), resource.getPlural());
    assertEquals(Pluralize.toPlural(derivedSingular) + "." + KulpConstants.GROUP,
        CustomResource.getCRDName(type));
  }
}
