package io.kulp.engine;

import java.nio.ByteBuffer;

/** The header of a process's kulp_abi, as read from its memory. */
record RuntimeState(int magic, int version, int size, int state, int helperTid, int patches, int funcs,
    int disabled, long generation, long messageHead) {

  static RuntimeState decode(ByteBuffer b) {
    return new RuntimeState(b.getInt(Abi.MAGIC_OFF), b.getInt(Abi.VERSION_OFF), b.getInt(Abi.SIZE_OFF),
        b.getInt(Abi.STATE_OFF), b.getInt(Abi.HELPER_TID_OFF), b.getInt(Abi.N_PATCHES_OFF), b.getInt(Abi.N_FUNCS_OFF),
        b.getInt(Abi.DISABLED_OFF), b.getLong(Abi.GENERATION_OFF), b.getLong(Abi.MESSAGE_HEAD_OFF));
  }

  /**
   * What keeps live patching out of this process: libpulp's LIBPULP_DISABLE_ON_* switches, read by
   * the runtime at load, or {@code ulp set_patchable disable}; null when live patching is on.
   */
  String disabledBy() {
    return switch (disabled) {
      case 0 -> null;
      case Abi.DISABLED_ON_PATH -> "LIBPULP_DISABLE_ON_PATH";
      case Abi.DISABLED_ON_USERS -> "LIBPULP_DISABLE_ON_USERS";
      case Abi.DISABLED_ON_GROUPS -> "LIBPULP_DISABLE_ON_GROUPS";
      case Abi.DISABLED_BY_ULP -> "ulp set_patchable disable";
      default -> "an unknown switch (" + disabled + ")";
    };
  }

  /** True when the runtime is kulp's (its magic) but of another ABI version than this engine's. */
  boolean otherVersion() {
    return magic == Abi.MAGIC && version != Abi.VERSION;
  }

  /**
   * Why a runtime of another ABI version is left alone, and what to do. kulp.h keeps magic,
   * version and size first in every version, so this much can always be read.
   */
  String versionProblem() {
    return "its kulp runtime speaks ABI version " + Integer.toUnsignedString(version) + " (" + (Integer.compareUnsigned(version,
        Abi.VERSION) > 0 ? "a newer" : "an older") + " kulp release), this engine version " + Abi.VERSION
        + ": restart the process with this release's libpulp.so, or use the ulp or agent of the runtime's release";
  }

  /** Null if the header can be trusted, else what is wrong with it. */
  String problem() {
    if (magic != Abi.MAGIC) {
      return "the kulp runtime has not finished loading (bad magic)";
    }
    if (version != Abi.VERSION) {
      return versionProblem();
    }
    if (size != Abi.ABI_SIZE) {
      return "libpulp.so's ABI object is " + size + " bytes, expected " + Abi.ABI_SIZE;
    }
    if (patches < 0 || patches > Abi.MAX_PATCHES || funcs < 0 || funcs > Abi.MAX_FUNCS) {
      return "the runtime's patch table counts are out of range";
    }
    return null;
  }
}
