package io.kulp.api.crdgen;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Puts a CRD's printer columns in the order the {@code @AdditionalPrinterColumn} annotations are
 * declared on its class (the JLS keeps repeated annotations in source order), which is the order
 * {@code kubectl get} shows them in. fabric8's generator sorts them by JSON path instead. Columns
 * not declared on the class (field-level {@code @PrinterColumn}) follow, in the generator's order.
 */
final class DeclaredPrinterColumnOrder implements CRDPostProcessor {

  /** CRD name (plural.group) to the JSON paths of its declared columns, in declaration order. */
  private final Map<String, List<String>> declared;

  @SafeVarargs
  DeclaredPrinterColumnOrder(Class<? extends HasMetadata>... types) {
    declared = Arrays.stream(types).collect(Collectors.toMap(HasMetadata::getFullResourceName,
        t -> Arrays.stream(t.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::jsonPath).toList()));
  }

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (crd instanceof CustomResourceDefinition) {
      List<String> order = declared.getOrDefault(crd.getMetadata().getName(), List.of());
      for (CustomResourceDefinitionVersion v : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
        if (v.getAdditionalPrinterColumns() != null) {
          List<CustomResourceColumnDefinition> columns = new ArrayList<>(v.getAdditionalPrinterColumns());
          columns.sort(Comparator.comparingInt(c -> rank(order, c.getJsonPath()))); // stable
          v.setAdditionalPrinterColumns(columns);
        }
      }
    }
    return crd;
  }

  private static int rank(List<String> order, String jsonPath) {
    int i = order.indexOf(jsonPath);
    return i < 0 ? Integer.MAX_VALUE : i;
  }
}
