package io.kulp.api.crdgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.List;
import java.util.Map;

/**
 * Makes the API server check the operator of every label selector requirement: in each schema of
 * a {@code LabelSelector} (an object with {@code matchLabels} and {@code matchExpressions}), the
 * requirement's {@code operator} gets {@code enum: [In, NotIn, Exists, DoesNotExist]}. The
 * generator takes LabelSelector from fabric8's model, which no annotation of ours reaches. A CEL
 * rule was the first idea, and the API server refused it: its estimated cost, multiplied by the
 * unbounded length of the lists and strings of a LabelSelector, exceeds the CRD's cost budget. An
 * enum is checked by the schema itself, at no CEL cost, and names the allowed values in its error.
 */
final class SelectorOperators {

  /** Kubernetes' label selector operators (metav1.LabelSelectorOperator). */
  static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");

  private SelectorOperators() {}

  static void process(CustomResourceDefinition crd) {
    crd.getSpec().getVersions().forEach(v -> {
      if (v.getSchema() != null) {
        visit(v.getSchema().getOpenAPIV3Schema());
      }
    });
  }

  private static void visit(JSONSchemaProps schema) {
    if (schema == null) {
      return;
    }
    Map<String, JSONSchemaProps> props = schema.getProperties();
    if (props != null && props.containsKey("matchLabels") && props.containsKey("matchExpressions")) {
      JSONSchemaProps items = props.get("matchExpressions").getItems() == null ? null
          : props.get("matchExpressions").getItems().getSchema();
      JSONSchemaProps operator = items == null || items.getProperties() == null ? null
          : items.getProperties().get("operator");
      if (operator == null) {
        throw new IllegalStateException("a label selector schema without matchExpressions[].operator");
      }
      operator.setEnum(OPERATORS.stream().map(o -> (JsonNode) new TextNode(o)).toList());
    }
    if (props != null) {
      props.values().forEach(SelectorOperators::visit);
    }
    if (schema.getItems() != null) {
      visit(schema.getItems().getSchema());
    }
    if (schema.getAdditionalProperties() != null) {
      visit(schema.getAdditionalProperties().getSchema());
    }
  }
}
