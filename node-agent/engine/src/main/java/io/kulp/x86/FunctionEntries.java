package io.kulp.x86;

import io.kulp.elf.ElfException;
import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.LibrarySymbols;
import io.kulp.elf.PatchablePadding;
import io.kulp.elf.SymbolType;
import io.kulp.patch.PatchFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The one place that decides how each function of a library can be patched ({@link EntryVerdict}):
 * through kulp's padding, with a 5-byte jump at its redirect point, or not at all. The padding is
 * read at once; the code is decoded (Capstone) on the first question about a function without
 * padding, in one sweep of the whole library. The library file must stay open while this is used.
 */
public final class FunctionEntries {
  private static final byte[] ENDBR64 = {(byte) 0xf3, 0x0f, 0x1e, (byte) 0xfa};
  /** The longest x86 instruction: the last one the jump overlaps may reach this far past the jump's start. */
  private static final int MAX_INSTRUCTION = 15;

  private final ElfFile elf;
  private final LibrarySymbols symbols;
  private final Set<Long> prepared;
  private ExecutableCode code;

  private FunctionEntries(ElfFile elf, LibrarySymbols symbols, Set<Long> prepared) {
    this.elf = elf;
    this.symbols = symbols;
    this.prepared = prepared;
  }

  /**
   * One function of the library and its verdict.
   *
   * @param name its symbol name
   * @param entry its address (st_value)
   * @param verdict how it can be patched
   */
  public record FunctionVerdict(String name, long entry, EntryVerdict verdict) {}

  public static FunctionEntries of(ElfFile elf, LibrarySymbols symbols) throws ElfException {
    return new FunctionEntries(elf, symbols, preparedEntries(elf));
  }

  /** The entries of the functions that carry kulp's padding in a usable layout. */
  public static Set<Long> preparedEntries(ElfFile elf) throws ElfException {
    Set<Long> usable = new HashSet<>();
    for (long start : elf.patchableEntries()) {
      if (PatchablePadding.at(elf, start).isUsable()) {
        usable.add(PatchablePadding.entryOf(start));
      }
    }
    return usable;
  }

  public LibrarySymbols symbols() {
    return symbols;
  }

  /** How many functions carry kulp's padding. */
  public int preparedCount() {
    return prepared.size();
  }

  /**
   * The verdict for the function at {@code entry} whose symbol says {@code size} and {@code type}
   * (size 0 and type {@link SymbolType#NOTYPE} for an address no symbol names).
   */
  public EntryVerdict verdict(long entry, long size, SymbolType type) throws IOException {
    if (prepared.contains(entry)) {
      return new EntryVerdict.Prepared();
    }
    if (type == SymbolType.GNU_IFUNC) {
      return new EntryVerdict.Refused("it is an ifunc: its symbol is the resolver that picks an implementation when the"
          + " library is loaded; patch the implementation it picks");
    }
    if (type != SymbolType.FUNC) {
      return new EntryVerdict.Refused("no function symbol with a size names it, so kulp cannot tell where its code ends");
    }
    if (size <= 0) {
      return new EntryVerdict.Refused("its symbol has no size, so kulp cannot tell that a 5-byte jump stays inside it");
    }
    ExecutableCode c = code();
    byte[] head = c.read(entry, (int) Math.min(size, ENDBR64.length));
    if (head == null) {
      return new EntryVerdict.Refused("it is not in an executable section of the library");
    }
    boolean endbr = head.length == ENDBR64.length && java.util.Arrays.equals(head, ENDBR64);
    long redirect = entry + (endbr ? ENDBR64.length : 0);
    if (redirect + PatchFormat.REDIRECT_SIZE > entry + size) {
      return new EntryVerdict.Refused("it is too short to hold the 5-byte jump: " + size + " bytes"
          + (endbr ? ", 4 of them endbr64" : ""));
    }
    String covered = coveredInstructions(c, redirect);
    if (covered != null) {
      return new EntryVerdict.Refused(covered);
    }
    String inside = c.pointingInside(redirect, redirect + PatchFormat.REDIRECT_SIZE);
    if (inside != null) {
      return new EntryVerdict.Refused(inside + ", inside the 5 bytes the jump replaces at "
          + String.format("0x%x", redirect) + ": a thread sent there would run the middle of the jump");
    }
    CRC32 crc = new CRC32();
    crc.update(c.read(redirect, PatchFormat.REDIRECT_SIZE));
    return new EntryVerdict.Unprepared(redirect, (int) crc.getValue());
  }

  /** Why the instructions the jump overwrites cannot be replaced, or null when they can. */
  private static String coveredInstructions(ExecutableCode c, long redirect) throws IOException {
    long end = redirect + PatchFormat.REDIRECT_SIZE;
    byte[] bytes = c.readUpTo(redirect, PatchFormat.REDIRECT_SIZE + MAX_INSTRUCTION);
    try (Disassembler d = Disassembler.open()) {
      for (Instruction insn : d.decode(bytes, redirect, PatchFormat.REDIRECT_SIZE)) {
        if (!insn.valid()) {
          return String.format("the byte %s at 0x%x is no valid instruction, so kulp cannot tell what the jump would"
              + " overwrite", insn.operands(), insn.address());
        }
        if (insn.isCall() && insn.end() > redirect && insn.end() < end) {
          return String.format("the call at 0x%x (%s) returns to 0x%x, inside the 5 bytes the jump replaces: a thread"
              + " in the callee would return into the middle of the jump", insn.address(), insn, insn.end());
        }
        if (insn.end() >= end) {
          return null;
        }
      }
    }
    return "its code ends inside the 5 bytes the jump replaces";
  }

  /** Every function the library's symbols name (each name once, at its address), by address. */
  public List<FunctionVerdict> all() throws IOException {
    Map<String, ElfSymbol> functions = new LinkedHashMap<>();
    for (ElfSymbol s : symbols.all()) {
      if (s.isDefined() && s.type().isCode() && !s.name().isEmpty()) {
        functions.putIfAbsent(s.name() + "@" + s.value(), s);
      }
    }
    List<ElfSymbol> sorted = new ArrayList<>(functions.values());
    sorted.sort(Comparator.comparingLong(ElfSymbol::value).thenComparing(ElfSymbol::name));
    List<FunctionVerdict> out = new ArrayList<>(sorted.size());
    for (ElfSymbol s : sorted) {
      out.add(new FunctionVerdict(s.name(), s.value(), verdict(s.value(), s.size(), s.type())));
    }
    return out;
  }

  /** The sweep, made on first use. */
  private ExecutableCode code() throws IOException {
    if (code == null) {
      try (Disassembler d = Disassembler.open()) {
        code = ExecutableCode.sweep(elf, symbols.all(), d);
      }
    }
    return code;
  }
}
