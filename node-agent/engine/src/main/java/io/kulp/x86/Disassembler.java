package io.kulp.x86;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decodes x86-64 code with Capstone. A byte that starts no valid instruction comes out as an
 * invalid one-byte {@link Instruction} and decoding goes on after it (Capstone's "skip data"),
 * so a sweep over a whole section never stops at data or padding between functions. One
 * instance is not safe for concurrent use.
 */
public final class Disassembler implements AutoCloseable {
  /** Instructions decoded per call into Capstone: about 1 MiB of {@code cs_insn}. */
  private static final int BATCH = 4096;

  private final Capstone cs;
  private final long handle;
  private boolean closed;

  private Disassembler(Capstone cs, long handle) {
    this.cs = cs;
    this.handle = handle;
  }

  /** Loads Capstone (once per process) and opens a 64-bit x86 decoder. */
  public static Disassembler open() throws DecoderUnavailableException {
    Capstone cs = Capstone.load();
    LongByReference h = new LongByReference();
    int err = cs.cs_open(Capstone.CS_ARCH_X86, Capstone.CS_MODE_64, h);
    if (err != 0) {
      throw new DecoderUnavailableException("Capstone cannot decode x86-64: " + cs.cs_strerror(err));
    }
    err = cs.cs_option(h.getValue(), Capstone.CS_OPT_SKIPDATA, Capstone.CS_OPT_ON);
    if (err != 0) {
      cs.cs_close(h);
      throw new DecoderUnavailableException("Capstone refuses its skip-data option: " + cs.cs_strerror(err));
    }
    return new Disassembler(cs, h.getValue());
  }

  /** The first {@code max} instructions of {@code code}, whose first byte is at {@code address}. */
  public List<Instruction> decode(byte[] code, long address, int max) {
    List<Instruction> out = new ArrayList<>();
    sweep(code, address, max, out::add);
    return out;
  }

  /** Every instruction of {@code code}, in order, whose first byte is at {@code address}. */
  public void sweep(byte[] code, long address, Consumer<Instruction> each) {
    sweep(code, address, Long.MAX_VALUE, each);
  }

  private void sweep(byte[] code, long address, long max, Consumer<Instruction> each) {
    if (closed) {
      throw new IllegalStateException("the disassembler is closed");
    }
    if (code.length == 0) {
      return;
    }
    Memory bytes = new Memory(code.length);
    bytes.write(0, code, 0, code.length);
    byte[] raw = new byte[0];
    long pos = 0;
    long left = max;
    PointerByReference insns = new PointerByReference();
    while (pos < code.length && left > 0) {
      long n = cs.cs_disasm(handle, bytes.share(pos), code.length - pos, address + pos, Math.min(BATCH, left), insns);
      if (n <= 0) {
        // Skip data covers every byte; this is a truncated instruction at the very end.
        each.accept(new Instruction(address + pos, 1, ".byte", String.format("0x%02x", code[(int) pos] & 0xff), false));
        pos++;
        left--;
        continue;
      }
      Pointer p = insns.getValue();
      try {
        int length = (int) n * Capstone.INSN_SIZE;
        if (raw.length < length) {
          raw = new byte[length];
        }
        p.read(0, raw, 0, length);
      } finally {
        cs.cs_free(p, n);
      }
      long next = pos;
      for (int i = 0; i < n; i++) {
        Instruction insn = read(raw, i * Capstone.INSN_SIZE);
        each.accept(insn);
        next = insn.end() - address;
      }
      pos = next;
      left -= n;
    }
  }

  private static Instruction read(byte[] raw, int at) {
    int id = le32(raw, at + Capstone.INSN_ID);
    long address = le32(raw, at + Capstone.INSN_ADDRESS) & 0xffff_ffffL
        | (long) le32(raw, at + Capstone.INSN_ADDRESS + 4) << 32;
    int size = (raw[at + Capstone.INSN_LENGTH] & 0xff) | (raw[at + Capstone.INSN_LENGTH + 1] & 0xff) << 8;
    return new Instruction(address, size, cstring(raw, at + Capstone.INSN_MNEMONIC),
        cstring(raw, at + Capstone.INSN_OP_STR), id != 0);
  }

  private static int le32(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }

  private static String cstring(byte[] b, int at) {
    int end = at;
    while (b[end] != 0) {
      end++;
    }
    return new String(b, at, end - at, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cs.cs_close(new LongByReference(handle));
    }
  }
}
