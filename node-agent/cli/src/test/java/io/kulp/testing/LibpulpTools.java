package io.kulp.testing;

import io.kulp.elf.ElfFile;
import io.kulp.elf.ElfSymbol;
import io.kulp.elf.ProgramHeader;
import io.kulp.elf.SymbolBinding;
import io.kulp.elf.SymbolType;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What two of libpulp's tools leave behind, for testing that kulp takes their output: no libpulp
 * is built here, so these redo, from libpulp's public source, the part of each that kulp reads.
 */
public final class LibpulpTools {
  private static final byte[] ENDBR64 = {(byte) 0xf3, 0x0f, 0x1e, (byte) 0xfa};
  private static final Map<SymbolType, Integer> TYPE_CODES = Map.of(SymbolType.NOTYPE, 0, SymbolType.OBJECT, 1,
      SymbolType.FUNC, 2, SymbolType.SECTION, 3, SymbolType.FILE, 4, SymbolType.COMMON, 5, SymbolType.TLS, 6,
      SymbolType.GNU_IFUNC, 10);
  private static final Map<SymbolBinding, Integer> BINDING_CODES = Map.of(SymbolBinding.LOCAL, 0, SymbolBinding.GLOBAL, 1,
      SymbolBinding.WEAK, 2, SymbolBinding.GNU_UNIQUE, 10);

  private LibpulpTools() {}

  /**
   * {@code ulp post LIB}: at every patchable entry (after endbr64, if any) the two one-byte NOPs
   * become the one two-byte NOP {@code 66 90}, in place. Returns how many entries it changed.
   */
  public static int post(Path library) throws IOException {
    List<Long> fileOffsets = new ArrayList<>();
    try (ElfFile elf = ElfFile.open(library)) {
      for (long start : elf.patchableEntries()) {
        long entry = start + 14;
        if (elf.readVirtual(entry, 4).equals(ByteBuffer.wrap(ENDBR64))) {
          entry += 4;
        }
        ByteBuffer nops = elf.readVirtual(entry, 2);
        if ((nops.get(0) & 0xff) == 0x90 && (nops.get(1) & 0xff) == 0x90) {
          fileOffsets.add(fileOffset(elf, entry));
        }
      }
    }
    try (RandomAccessFile f = new RandomAccessFile(library.toFile(), "rw")) {
      for (long at : fileOffsets) {
        f.seek(at);
        f.write(0x66);
      }
    }
    return fileOffsets.size();
  }

  /**
   * {@code ulp extract LIB -o OUT}: libpulp's JSON, as json-c pretty-prints it. One object
   * "library" with the name of the file, its build-id, and every named symbol of .dynsym and
   * then .symtab (imports too, at offset 0) with its raw st_info; st_other is written as 0.
   */
  public static Path extract(Path library, Path out) throws IOException {
    StringBuilder b = new StringBuilder();
    try (ElfFile elf = ElfFile.open(library)) {
      b.append("{\n  \"library\":{\n    \"name\":").append(quote(library.getFileName().toString()))
          .append(",\n    \"buildid\":").append(quote(elf.buildId().orElseThrow().hex())).append(",\n    \"symbols\":[");
      String sep = "\n";
      for (List<ElfSymbol> table : List.of(elf.dynamicSymbols(), elf.symbols())) {
        for (ElfSymbol s : table) {
          if (s.name().isEmpty()) {
            continue;
          }
          int info = BINDING_CODES.getOrDefault(s.binding(), 0) << 4 | TYPE_CODES.getOrDefault(s.type(), 0);
          b.append(sep).append("      {\n        \"name\":").append(quote(s.name()))
              .append(",\n        \"offset\":").append(s.isDefined() ? s.value() : 0)
              .append(",\n        \"size\":").append(s.size())
              .append(",\n        \"st_info\":").append(info)
              .append(",\n        \"st_other\":0\n      }");
          sep = ",\n";
        }
      }
    }
    b.append("\n    ]\n  }\n}");
    return Files.writeString(out, b.toString());
  }

  /** json-c escapes '/' too. */
  private static String quote(String s) {
    return ('"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"').replace("/", "\\/");
  }

  private static long fileOffset(ElfFile elf, long vaddr) {
    for (ProgramHeader p : elf.programHeaders()) {
      if (p.containsInFile(vaddr, 2)) {
        return p.offset() + (vaddr - p.vaddr());
      }
    }
    throw new IllegalStateException("0x" + Long.toHexString(vaddr) + " is not in the file");
  }
}
