package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The generated LivePatchNode CRD enforces the limits the agent builds its reports within. */
class StatusLimitsTest {

  @Test
  void theCrdAllowsAtMostMaxRecordsProcessRecords() throws IOException {
    assertThat(records().getMaxItems()).isEqualTo(StatusLimits.MAX_RECORDS);
  }

  @Test
  void theCrdAllowsReasonsOfAtMostMaxReasonLengthCharacters() throws IOException {
    assertThat(records().getItems().getSchema().getProperties().get("reason").getMaxLength())
        .isEqualTo(StatusLimits.MAX_REASON_LENGTH);
  }

  private static JSONSchemaProps records() throws IOException {
    try (InputStream in = StatusLimitsTest.class.getClassLoader()
        .getResourceAsStream(CrdResources.LIVEPATCHNODE)) {
      assertThat(in).as("generated CRD on the classpath").isNotNull();
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
          .get("status").getProperties().get("records");
    }
  }
}
