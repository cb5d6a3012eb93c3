package io.kulp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kulp.elf.BuildId;
import io.kulp.patch.PatchFormat;
import io.kulp.patch.PatchId;
import io.kulp.patch.PatchKind;
import io.kulp.patch.PrivateReference;
import io.kulp.patch.ReferenceKind;
import io.kulp.testing.Commands;
import io.kulp.testing.Fixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The engine reads and writes the runtime's memory by offsets and codes, and the packer writes the
 * codes the runtime reads from a .ulp section: all must be the ones kulp.h gives the C compiler.
 */
class AbiLayoutTest {
  @Test
  void everyOffsetSizeAndCodeTheEngineUsesIsTheOneTheCompilerLaidOut() {
    assertThat(compiler()).containsAllEntriesOf(text(Abi.layout()));
  }

  @Test
  void theKindsAndLimitsOfThePatchFormatAreTheOnesTheRuntimeReads() {
    assertThat(compiler()).containsAllEntriesOf(text(patchFormat()));
  }

  @Test
  void everyValueTheCompilerPrintsHasAJavaMirror() {
    Set<String> mirrored = new TreeSet<>(Abi.layout().keySet());
    mirrored.addAll(patchFormat().keySet());
    assertThat(mirrored).containsExactlyInAnyOrderElementsOf(compiler().keySet());
  }

  /** What io.kulp.patch (and the build-id it embeds) mirrors of kulp.h, under the C names. */
  private static Map<String, Object> patchFormat() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("KULP_PATCH_APPLY", PatchKind.APPLY.code());
    m.put("KULP_PATCH_REVERT", PatchKind.REVERT.code());
    m.put("KULP_REF_DATA", ReferenceKind.DATA.code());
    m.put("KULP_REF_TLS", ReferenceKind.TLS.code());
    m.put("KULP_REF_BY_NAME", PrivateReference.BY_NAME);
    m.put("KULP_PATCH_CONSISTENT", PatchFormat.PATCH_CONSISTENT);
    m.put("KULP_MAX_PATCH_FUNCS", PatchFormat.MAX_FUNCTIONS);
    m.put("KULP_MAX_PATCH_REFS", PatchFormat.MAX_REFERENCES);
    m.put("KULP_METADATA_MAX", PatchFormat.MAX_SECTION_SIZE);
    m.put("KULP_ID_LEN", PatchId.LENGTH);
    m.put("KULP_BUILD_ID_MAX", BuildId.MAX_LENGTH);
    return m;
  }

  /** runtime-c/tests/abi_offsets's NAME VALUE lines. */
  private static Map<String, String> compiler() {
    String printed = Commands.output(Fixtures.runtimeDir().resolve("tests/abi_offsets").toString());
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : printed.split("\n")) {
      String[] f = line.trim().split(" ");
      m.put(f[0], f[1]);
    }
    return m;
  }

  private static Map<String, String> text(Map<String, Object> values) {
    Map<String, String> m = new LinkedHashMap<>();
    values.forEach((name, value) -> m.put(name, String.valueOf(value)));
    return m;
  }
}
