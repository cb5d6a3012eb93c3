package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Sha256Test {

  @Test
  void writesTheDigestAs64LowercaseHexCharacters() {
    assertThat(Sha256.of("abc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(Sha256.ofText("")).isEqualTo(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void digestsTextAsUtf8() {
    assertThat(Sha256.ofText("nœud")).isEqualTo(Sha256.of("nœud".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void acceptsOnly64LowercaseHexCharacters() {
    assertThat(Sha256.isHex(Sha256.ofText("x"))).isTrue();
    assertThat(Sha256.isHex("a".repeat(63))).isFalse();
    assertThat(Sha256.isHex("a".repeat(65))).isFalse();
    assertThat(Sha256.isHex("A".repeat(64))).isFalse();
    assertThat(Sha256.isHex("g".repeat(64))).isFalse();
    assertThat(Sha256.isHex(null)).isFalse();
  }
}
