package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelValuesTest {

  @Test
  void aNameOfAtMost63CharactersIsItsOwnValue() {
    assertThat(LabelValues.of("worker-1")).isEqualTo("worker-1");
    assertThat(LabelValues.of("n".repeat(63))).isEqualTo("n".repeat(63));
  }

  @Test
  void aLongerNameBecomesHAndFortyHexDigitsOfItsSha256() {
    String node = "ip-10-0-12-34.eu-west-1.compute.internal.some-very-long-cluster-domain.example";

    assertThat(LabelValues.of(node)).hasSize(41).matches("h[0-9a-f]{40}")
        .isEqualTo("h" + Sha256.ofText(node).substring(0, 40));
    assertThat(LabelValues.of("n".repeat(64))).isNotEqualTo(LabelValues.of("n".repeat(65)));
  }
}
