package io.kulp.engine;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import io.kulp.host.LoadedLibrary;

/**
 * The few functions of libunwind 1.6 (Debian's {@code libunwind8}) that {@link StackUnwinder}
 * calls: its remote unwinder for x86-64 and its ptrace accessors. Loaded on first use, so only
 * an operation with the consistency check ever loads it. The sizes and offsets below are those of
 * the headers of Debian 12's libunwind-dev 1.6.2 (libunwind-dynamic.h, libunwind-common.h,
 * libunwind-x86_64.h).
 */
final class Libunwind {
  static final String DEBIAN_PACKAGE = "libunwind8";
  /** Names another file to load instead of libunwind-x86_64 (tests: a missing library). */
  static final String LIBRARY_PROPERTY = "kulp.libunwind.library";

  /** {@code UNW_X86_64_RIP}, which is {@code UNW_REG_IP} on x86-64. */
  static final int REG_IP = 16;
  /** {@code unw_cursor_t}: 127 words (UNW_TDEP_CURSOR_LEN), rounded up. */
  static final int CURSOR_SIZE = 1024;
  /** {@code unw_proc_info_t}: 72 bytes on x86-64, rounded up; start_ip and end_ip come first. */
  static final int PROC_INFO_SIZE = 128;
  /** {@code unw_accessors_t}: eight function pointers; find_proc_info is the first. */
  static final int ACCESSORS_SIZE = 64;
  /**
   * {@code unw_dyn_info_t} holding a {@code unw_dyn_remote_table_info_t}: next, prev, start_ip,
   * end_ip, gp, format and pad, load_offset, then name_ptr, segbase, table_len, table_data at 56.
   */
  static final int DYN_INFO_SIZE = 88;
  static final int UNW_INFO_FORMAT_REMOTE_TABLE = 2;
  static final int UNW_ENOINFO = 10;

  /** libunwind-x86_64.so.8: the unwinder. */
  interface Unwinder extends Library {
    Pointer _Ux86_64_create_addr_space(Pointer accessors, int byteOrder);

    void _Ux86_64_destroy_addr_space(Pointer addressSpace);

    int _Ux86_64_init_remote(Pointer cursor, Pointer addressSpace, Pointer arg);

    int _Ux86_64_step(Pointer cursor);

    int _Ux86_64_get_reg(Pointer cursor, int reg, LongByReference value);

    int _Ux86_64_get_proc_info(Pointer cursor, Pointer procInfo);

    int _Ux86_64_get_proc_info_by_ip(Pointer addressSpace, long ip, Pointer procInfo, Pointer arg);

    int _Ux86_64_dwarf_search_unwind_table(Pointer addressSpace, long ip, Pointer dynInfo, Pointer procInfo,
        int needUnwindInfo, Pointer arg);
  }

  /** libunwind-ptrace.so.0: reads a stopped tracee's memory and registers with ptrace. */
  interface PtraceAccessors extends Library {
    Pointer _UPT_create(int tid);

    void _UPT_destroy(Pointer upt);
  }

  /** {@code unw_accessors_t.find_proc_info}: where the unwind table for {@code ip} is. */
  interface FindProcInfo extends Callback {
    int invoke(Pointer addressSpace, long ip, Pointer procInfo, int needUnwindInfo, Pointer arg);
  }

  final Unwinder unwinder;
  final PtraceAccessors ptrace;
  /** {@code _UPT_accessors}, whose find_proc_info the unwinder replaces. */
  final Pointer upt;

  private Libunwind(Unwinder unwinder, PtraceAccessors ptrace, Pointer upt) {
    this.unwinder = unwinder;
    this.ptrace = ptrace;
    this.upt = upt;
  }

  private static final LoadedLibrary<Libunwind> LIBRARY = new LoadedLibrary<>(() -> {
    // libunwind-ptrace calls into libunwind-x86_64 without linking it: that one first, global.
    Unwinder unwinder = Native.load(System.getProperty(LIBRARY_PROPERTY, "libunwind-x86_64.so.8"), Unwinder.class);
    PtraceAccessors ptrace = Native.load("libunwind-ptrace.so.0", PtraceAccessors.class);
    Pointer upt = NativeLibrary.getInstance("libunwind-ptrace.so.0").getGlobalVariableAddress("_UPT_accessors");
    return new Libunwind(unwinder, ptrace, upt);
  });

  /** Loads the library once, or says which package provides it (and tries again next time). */
  static Libunwind load() throws EngineException {
    Libunwind loaded = LIBRARY.get();
    if (loaded == null) {
      throw EngineException.failed("the consistency check unwinds stacks with libunwind (libunwind-x86_64.so.8,"
          + " libunwind-ptrace.so.0), which is not installed: apt-get install " + DEBIAN_PACKAGE);
    }
    return loaded;
  }
}
