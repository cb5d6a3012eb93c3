package io.kulp.patch;

import io.kulp.elf.BuildId;
import java.util.List;

/** Metadata values for codec tests. */
final class SampleMetadata {
  static final BuildId TARGET = BuildId.ofHex("64132f123900d5782d5ada55f1895dca57f104d2");
  static final BuildId CONTAINER = BuildId.ofHex("932fffd66e7091dbf71edfbfa40aac6c854e6a48");
  static final PatchId ID = PatchId.ofHex("315c0237c8d877f36c849bc6b096570c");

  private SampleMetadata() {}

  static PatchMetadata apply() {
    return new PatchMetadata(PatchKind.APPLY, ID, "libkfix.so.1", TARGET, CONTAINER,
        List.of(new FunctionPair("kfix_counter", "kfix_counter_v2", 0x212e),
            new FunctionPair("kfix_value", "kfix_value_v2", 0x20ee)),
        List.of(new PrivateReference("counter", "kfix_counter_ref", 0x7054, ReferenceKind.DATA),
            new PrivateReference("tls_hits", "kfix_tls_ref", 0, ReferenceKind.TLS)),
        List.of("CVE-2026-0001", "bsc#1000002 value returns 2"));
  }
}
