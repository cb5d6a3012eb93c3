package io.kulp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StagedPatchNameTest {

  static final String SHA = Sha256.ofText("patch");

  @Test
  void namesTheFileAfterTheDigest() {
    assertThat(StagedPatchName.of(SHA)).isEqualTo("kulp-" + SHA + ".so");
  }

  @Test
  void readsTheDigestBackFromTheName() {
    assertThat(StagedPatchName.sha256Of(StagedPatchName.of(SHA))).contains(SHA);
  }

  @Test
  void takesNoOtherFileForAStagedPatch() {
    assertThat(StagedPatchName.sha256Of("libssl.so.3")).isEmpty();
    assertThat(StagedPatchName.sha256Of("kulp-" + SHA + ".so.tmp")).isEmpty();
    assertThat(StagedPatchName.sha256Of("kulp-" + SHA.toUpperCase() + ".so")).isEmpty();
    assertThat(StagedPatchName.sha256Of("kulp-" + SHA.substring(1) + ".so")).isEmpty();
    assertThat(StagedPatchName.sha256Of("xkulp-" + SHA + ".so")).isEmpty();
  }

  @Test
  void refusesToNameAFileAfterSomethingElseThanADigest() {
    assertThatThrownBy(() -> StagedPatchName.of("../../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
