package io.kulp.x86;

import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSection;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.SymbolType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The executable sections of a library and every address that something in the library sends
 * execution to or takes: the targets of direct jumps, calls and loops, the addresses of
 * RIP-relative operands, the addends of {@code R_X86_64_RELATIVE}/{@code IRELATIVE} relocations
 * and the values of symbols. They come from one linear sweep of the code (a byte that is no
 * instruction is skipped), kept sorted, so that asking whether anything points into a range costs
 * a binary search. What a decoder cannot see (jump tables, computed jumps) is not here.
 */
final class ExecutableCode {
  private static final long R_X86_64_RELATIVE = 8;
  private static final long R_X86_64_IRELATIVE = 37;
  private static final int RELA_SIZE = 24;

  private final List<ElfSection> sections;
  private final List<byte[]> bytes;
  private final References refs;
  private final List<ElfSymbol> symbols;
  private long[] sorted;

  private ExecutableCode(List<ElfSection> sections, List<byte[]> bytes, List<ElfSymbol> symbols) {
    this.sections = sections;
    this.bytes = bytes;
    this.refs = new References(sections);
    this.symbols = symbols;
  }

  /** Sweeps the code of {@code elf}; {@code symbols} are all of its symbols. */
  static ExecutableCode sweep(ElfFile elf, List<ElfSymbol> symbols, Disassembler d) throws ElfException {
    List<ElfSection> code = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (ElfSection s : elf.sections()) {
      if (s.isExecutableCode() && s.size() > 0) {
        code.add(s);
        contents.add(elf.bytes(s));
      }
    }
    ExecutableCode c = new ExecutableCode(List.copyOf(code), List.copyOf(contents), symbols);
    for (int i = 0; i < code.size(); i++) {
      d.sweep(contents.get(i), code.get(i).addr(), insn -> {
        long target = insn.relativeTarget();
        if (target != Instruction.NONE) {
          c.refs.add(target, insn.address(), References.BRANCH);
        }
        long rip = insn.ripAddress();
        if (rip != Instruction.NONE) {
          c.refs.add(rip, insn.address(), References.RIP);
        }
      });
    }
    c.relocations(elf);
    for (ElfSymbol s : symbols) {
      if (marksAnAddress(s)) {
        c.refs.add(s.value(), Instruction.NONE, References.SYMBOL);
      }
    }
    c.sorted = Arrays.copyOf(c.refs.targets, c.refs.size);
    Arrays.sort(c.sorted);
    return c;
  }

  private void relocations(ElfFile elf) throws ElfException {
    for (ElfSection s : elf.sections()) {
      if (s.type() != ElfSection.SHT_RELA || !s.isAllocated()) {
        continue;
      }
      ByteBuffer b = elf.contents(s);
      for (int at = 0; at + RELA_SIZE <= b.limit(); at += RELA_SIZE) {
        long type = b.getLong(at + 8) & 0xffff_ffffL;
        if (type == R_X86_64_RELATIVE || type == R_X86_64_IRELATIVE) {
          refs.add(b.getLong(at + 16), b.getLong(at), References.RELOCATION);
        }
      }
    }
  }

  private static boolean marksAnAddress(ElfSymbol s) {
    return s.isDefined() && s.sectionIndex() != ElfSymbol.SHN_ABS && s.type() != SymbolType.TLS
        && s.type() != SymbolType.FILE && s.type() != SymbolType.SECTION;
  }

  /** The {@code length} bytes at {@code address} if they all lie in one executable section, else null. */
  byte[] read(long address, int length) {
    for (int i = 0; i < sections.size(); i++) {
      ElfSection s = sections.get(i);
      if (address >= s.addr() && address - s.addr() + length <= bytes.get(i).length) {
        int from = (int) (address - s.addr());
        return Arrays.copyOfRange(bytes.get(i), from, from + length);
      }
    }
    return null;
  }

  /** Up to {@code length} bytes from {@code address}, fewer where its section ends; null outside the code. */
  byte[] readUpTo(long address, int length) {
    for (int i = 0; i < sections.size(); i++) {
      ElfSection s = sections.get(i);
      if (address >= s.addr() && address - s.addr() < bytes.get(i).length) {
        int from = (int) (address - s.addr());
        return Arrays.copyOfRange(bytes.get(i), from, Math.min(bytes.get(i).length, from + length));
      }
    }
    return null;
  }

  /** How many addresses the sweep collected. */
  int referenceCount() {
    return sorted.length;
  }

  /**
   * The first thing that points strictly between {@code from} and {@code to}, described for a
   * message ("the target of the branch at 0x1234"), or null when nothing does.
   */
  String pointingInside(long from, long to) {
    int i = Arrays.binarySearch(sorted, from + 1);
    int first = i >= 0 ? i : -i - 1;
    // binarySearch may land on any of equal values: step back to the first one above from.
    while (first > 0 && sorted[first - 1] > from) {
      first--;
    }
    if (first >= sorted.length || sorted[first] >= to) {
      return null;
    }
    long best = Long.MAX_VALUE;
    String what = null;
    for (int k = 0; k < refs.size; k++) {
      long t = refs.targets[k];
      if (t > from && t < to && t < best) {
        best = t;
        what = refs.describe(k, symbols);
      }
    }
    return what;
  }

  /** Growable parallel arrays: target, where it comes from, and what kind of reference it is. */
  private static final class References {
    static final byte BRANCH = 0;
    static final byte RIP = 1;
    static final byte RELOCATION = 2;
    static final byte SYMBOL = 3;

    final List<ElfSection> code;
    long[] targets = new long[1024];
    long[] sources = new long[1024];
    byte[] kinds = new byte[1024];
    int size;

    References(List<ElfSection> code) {
      this.code = code;
    }

    private boolean inCode(long address) {
      for (ElfSection s : code) {
        if (Long.compareUnsigned(address - s.addr(), s.size()) < 0) {
          return true;
        }
      }
      return false;
    }

    void add(long target, long source, byte kind) {
      if (!inCode(target)) {
        return; // only an address in the code can be inside a function's first bytes
      }
      if (size == targets.length) {
        targets = Arrays.copyOf(targets, size * 2);
        sources = Arrays.copyOf(sources, size * 2);
        kinds = Arrays.copyOf(kinds, size * 2);
      }
      targets[size] = target;
      sources[size] = source;
      kinds[size++] = kind;
    }

    String describe(int k, List<ElfSymbol> symbols) {
      String at = String.format("0x%x", targets[k]);
      return switch (kinds[k]) {
        case BRANCH -> at + " is the target of the branch at " + String.format("0x%x", sources[k]);
        case RIP -> at + " is the address the instruction at " + String.format("0x%x", sources[k])
            + " takes (RIP-relative)";
        case RELOCATION -> at + " is stored by the relocation at " + String.format("0x%x", sources[k])
            + " (a code pointer)";
        default -> at + " is the value of the symbol " + symbols.stream().filter(s -> s.value() == targets[k])
            .map(ElfSymbol::name).findFirst().orElse("?");
      };
    }
  }
}
