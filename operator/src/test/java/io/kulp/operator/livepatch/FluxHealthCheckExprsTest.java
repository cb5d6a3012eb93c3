package io.kulp.operator.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kulp.api.CrdResources;
import io.kulp.api.KulpConstants;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/gitops/flux/kustomization.yaml's healthCheckExprs read fields the LivePatch CRD has and
 * condition types the operator writes. (No CEL interpreter runs them here: they say in CEL what
 * docs/api.md's table says, and ArgoCdHealthCheckTest runs the same reading in Lua.)
 */
class FluxHealthCheckExprsTest {

  private static final Path FLUX = Path.of(System.getProperty("kulp.repoRoot", ".."))
      .resolve("deploy/gitops/flux/kustomization.yaml");
  private static final Pattern STATUS_FIELD = Pattern.compile("\\bstatus((?:\\.[A-Za-z]+\\b(?!\\())+)");
  private static final Pattern CONDITION_FIELD = Pattern.compile("\\bc\\.([A-Za-z]+)");
  private static final Pattern CONDITION_TYPE = Pattern.compile("c\\.type == '([A-Za-z]+)'");

  @Test
  void theExpressionsReadFieldsOfTheLivePatchSchemaAndConditionsTheOperatorWrites()
      throws IOException {
    Map<String, String> exprs = livePatchExprs();
    JSONSchemaProps status = schema().getProperties().get("status");
    JSONSchemaProps condition = status.getProperties().get("conditions").getItems().getSchema();

    assertThat(exprs).containsKeys("inProgress", "failed", "current");
    for (String expr : exprs.values()) {
      assertThat(matches(STATUS_FIELD, expr)).isNotEmpty().allSatisfy(path ->
          assertThat(resolve(status, path)).as("status%s in the CRD schema", path).isNotNull());
      assertThat(matches(CONDITION_FIELD, expr)).allSatisfy(field ->
          assertThat(condition.getProperties()).as("conditions[].%s", field).containsKey(field));
      assertThat(expr).contains("metadata.generation");
    }
    assertThat(matches(CONDITION_TYPE, String.join(" ", exprs.values())))
        .containsExactlyInAnyOrder(KulpConstants.CONDITION_RECONCILING,
            KulpConstants.CONDITION_STALLED, KulpConstants.CONDITION_READY)
        .isSubsetOf(StatusScenarios.COMPLETE.livePatch().getStatus().conditions.stream()
            .map(Condition::getType).toList());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> livePatchExprs() throws IOException {
    var kustomization = Serialization.unmarshal(Files.readString(FLUX), GenericKubernetesResource.class);
    var spec = (Map<String, Object>) kustomization.getAdditionalProperties().get("spec");
    var checks = (List<Map<String, String>>) spec.get("healthCheckExprs");
    assertThat(checks).hasSize(1);
    assertThat(checks.get(0)).containsEntry("apiVersion", KulpConstants.GROUP + "/" + KulpConstants.VERSION)
        .containsEntry("kind", "LivePatch");
    return checks.get(0).entrySet().stream()
        .filter(e -> !e.getKey().equals("apiVersion") && !e.getKey().equals("kind"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static JSONSchemaProps schema() throws IOException {
    try (InputStream in = FluxHealthCheckExprsTest.class.getClassLoader()
        .getResourceAsStream(CrdResources.LIVEPATCH)) {
      assertThat(in).isNotNull();
      return Serialization.unmarshal(in, CustomResourceDefinition.class).getSpec().getVersions()
          .get(0).getSchema().getOpenAPIV3Schema();
    }
  }

  /** The schema of {@code .a.b} below {@code props}, or null. */
  private static JSONSchemaProps resolve(JSONSchemaProps props, String path) {
    JSONSchemaProps at = props;
    for (String name : Arrays.stream(path.split("\\.")).filter(s -> !s.isEmpty()).toList()) {
      at = at.getProperties() == null ? null : at.getProperties().get(name);
      if (at == null) {
        return null;
      }
    }
    return at;
  }

  private static List<String> matches(Pattern p, String text) {
    Matcher m = p.matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
