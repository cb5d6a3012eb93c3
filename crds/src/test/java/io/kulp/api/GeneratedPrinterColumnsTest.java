package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.v1alpha1.LivePatch;
import io.kulp.api.v1alpha1.LivePatchNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated CRDs list their printer columns in the order the types declare them. */
class GeneratedPrinterColumnsTest {

  @Test
  void livePatchColumnsAreActionLibraryStatusNodesPatchedFailedCompleteAge() throws IOException {
    assertThat(columns(CrdResources.LIVEPATCH)).extracting(CustomResourceColumnDefinition::getName)
        .containsExactly("Action", "Library", "Status", "Nodes", "Patched", "Failed", "Complete",
            "Age");
  }

  @Test
  void everyCrdKeepsTheDeclarationOrderOfItsTypesColumns() throws IOException {
    assertThat(columns(CrdResources.LIVEPATCH)).extracting(CustomResourceColumnDefinition::getJsonPath)
        .containsExactlyElementsOf(declared(LivePatch.class));
    assertThat(columns(CrdResources.LIVEPATCHNODE)).extracting(CustomResourceColumnDefinition::getJsonPath)
        .containsExactlyElementsOf(declared(LivePatchNode.class));
  }

  private static List<String> declared(Class<?> type) {
    return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::jsonPath).toList();
  }

  private static List<CustomResourceColumnDefinition> columns(String resource) throws IOException {
    try (InputStream in = GeneratedPrinterColumnsTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as("generated CRD %s on the classpath", resource).isNotNull();
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    }
  }
}
