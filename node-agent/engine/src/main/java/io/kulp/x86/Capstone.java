package io.kulp.x86;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.kulp.host.LoadedLibrary;

/**
 * The few functions of Capstone 4 (Debian's {@code libcapstone4}, {@code libcapstone.so.4})
 * that {@link Disassembler} calls. The library is loaded on first use of this interface, so only
 * {@code ulp packer} and {@code ulp livepatchable} ever load it; the node agent and {@code ulp
 * trigger} never touch this class.
 */
interface Capstone extends Library {
  String SONAME = "libcapstone.so.4";
  /** Names another file to load instead (tests: a missing library). */
  String LIBRARY_PROPERTY = "kulp.capstone.library";
  String DEBIAN_PACKAGE = "libcapstone4";

  int CS_ARCH_X86 = 3;
  int CS_MODE_64 = 8;
  int CS_OPT_SKIPDATA = 5;
  long CS_OPT_ON = 3;

  /** {@code cs_insn} (capstone.h; offsets checked with the C compiler): id, address, size, mnemonic, op_str. */
  int INSN_SIZE = 240;
  int INSN_ID = 0;
  int INSN_ADDRESS = 8;
  int INSN_LENGTH = 16;
  int INSN_MNEMONIC = 34;
  int INSN_OP_STR = 66;

  /** {@code csh} is a {@code size_t}. */
  int cs_open(int arch, int mode, LongByReference handle);

  int cs_option(long handle, int type, long value);

  long cs_disasm(long handle, Pointer code, long codeSize, long address, long count, PointerByReference insn);

  void cs_free(Pointer insn, long count);

  int cs_close(LongByReference handle);

  String cs_strerror(int code);

  /** Loads the library, or says which package provides it. */
  static Capstone load() throws DecoderUnavailableException {
    return Holder.get();
  }

  /** Loaded once; a failure is tried again at the next use. */
  final class Holder {
    private static final LoadedLibrary<Capstone> LIBRARY =
        new LoadedLibrary<>(() -> Native.load(System.getProperty(LIBRARY_PROPERTY, SONAME), Capstone.class));

    private Holder() {}

    static Capstone get() throws DecoderUnavailableException {
      Capstone library = LIBRARY.get();
      if (library == null) {
        throw new DecoderUnavailableException("kulp decodes x86 code with Capstone 4 (" + SONAME
            + "), which is not installed: apt-get install " + DEBIAN_PACKAGE);
      }
      return library;
    }
  }
}
