package io.kulp.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of an ELF64 little-endian x86-64 file: headers, sections, symbols, notes,
 * SONAME and the live-patch padding table. {@link #open} maps the file, so only the pages that
 * are read are loaded; headers are decoded at once, symbol tables on first use.
 *
 * <p>Every offset read from the file is bounds-checked: a truncated or corrupt file yields an
 * {@link ElfException} that names the problem. Instances are safe to share between threads.
 */
public final class ElfFile {
  public static final String SYMTAB = ".symtab";
  public static final String DYNSYM = ".dynsym";
  public static final String PATCHABLE_ENTRIES = "__patchable_function_entries";

  private final ElfBytes in;
  private final ElfHeader header;
  private final List<ProgramHeader> programHeaders;
  private final List<ElfSection> sections;
  private volatile List<ElfSymbol> symbols;
  private volatile List<ElfSymbol> dynamicSymbols;

  private ElfFile(ElfBytes in) throws ElfException {
    this.in = in;
    this.header = ElfHeader.read(in);
    this.programHeaders = readProgramHeaders();
    this.sections = SectionTableReader.read(in, header);
  }

  /**
   * Maps and parses the file at {@code path}, which may be a {@code /proc/PID/map_files/...}
   * or {@code /proc/PID/root/...} path of another process.
   */
  public static ElfFile open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new ElfException(path + ": is a directory, not an ELF file");
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new ElfException(path + ": " + size + " bytes is too large for kulp's ELF reader (2 GiB at most)");
      }
      // The mapping outlives the channel; the file can be replaced (renamed over) safely meanwhile.
      return new ElfFile(new ElfBytes(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), path.toString()));
    }
  }

  /** Parses an image already in memory; {@code source} names it in error messages. */
  public static ElfFile parse(ByteBuffer image, String source) throws ElfException {
    return new ElfFile(new ElfBytes(image, source));
  }

  public String source() {
    return in.source();
  }

  public ElfHeader header() {
    return header;
  }

  public List<ProgramHeader> programHeaders() {
    return programHeaders;
  }

  public List<ElfSection> sections() {
    return sections;
  }

  /** The first section with this name. */
  public Optional<ElfSection> section(String name) {
    return sections.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The bytes of a section of this file as a read-only little-endian buffer (empty for SHT_NOBITS). */
  public ByteBuffer contents(ElfSection section) throws ElfException {
    return in.slice(section.offset(), section.hasFileBytes() ? section.size() : 0, section.name());
  }

  /** The bytes of the section with this name, if there is one. */
  public Optional<byte[]> sectionBytes(String name) throws ElfException {
    Optional<ElfSection> s = section(name);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer b = contents(s.get());
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return Optional.of(out);
  }

  /** {@code .symtab}; empty when the file is stripped. */
  public List<ElfSymbol> symbols() throws ElfException {
    List<ElfSymbol> s = symbols;
    if (s == null) {
      symbols = s = readSymbols(ElfSection.SHT_SYMTAB);
    }
    return s;
  }

  /** {@code .dynsym}: the symbols the dynamic loader sees; empty for static executables. */
  public List<ElfSymbol> dynamicSymbols() throws ElfException {
    List<ElfSymbol> s = dynamicSymbols;
    if (s == null) {
      dynamicSymbols = s = readSymbols(ElfSection.SHT_DYNSYM);
    }
    return s;
  }

  /** The defined symbol with this name in {@code .dynsym}, e.g. {@code kulp_abi} in libpulp.so. */
  public Optional<ElfSymbol> dynamicSymbol(String name) throws ElfException {
    for (ElfSymbol s : dynamicSymbols()) {
      if (s.isDefined() && s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Notes from SHT_NOTE sections, or from PT_NOTE segments when there is no section table. */
  public List<ElfNote> notes() throws ElfException {
    List<ElfNote> out = new ArrayList<>();
    if (!sections.isEmpty()) {
      for (ElfSection s : sections) {
        if (s.type() == ElfSection.SHT_NOTE) {
          NoteReader.read(in, s.offset(), s.size(), s.addrAlign(), s.name(), out);
        }
      }
    } else {
      for (ProgramHeader p : programHeaders) {
        if (p.type() == ProgramHeader.PT_NOTE) {
          NoteReader.read(in, p.offset(), p.fileSize(), p.align(), "PT_NOTE", out);
        }
      }
    }
    return out;
  }

  /** The GNU build-id, if the file has an NT_GNU_BUILD_ID note of 1 to 64 bytes. */
  public Optional<BuildId> buildId() throws ElfException {
    for (ElfNote n : notes()) {
      if (n.isBuildId() && n.descriptor().length >= 1 && n.descriptor().length <= BuildId.MAX_LENGTH) {
        return Optional.of(BuildId.of(n.descriptor()));
      }
    }
    return Optional.empty();
  }

  /** DT_SONAME from {@code .dynamic}. */
  public Optional<String> soname() throws ElfException {
    return DynamicReader.soname(in, sections);
  }

  /**
   * The addresses recorded in {@code __patchable_function_entries}: for code built with
   * {@code -fpatchable-function-entry=N,M}, the start of each function's padding, M bytes
   * before its entry. Empty when the file has no such section.
   */
  public long[] patchableEntries() throws ElfException {
    return PatchableEntriesReader.read(this, in);
  }

  /** {@code length} bytes at virtual address {@code vaddr}, read from the PT_LOAD segment holding them. */
  public ByteBuffer readVirtual(long vaddr, int length) throws ElfException {
    for (ProgramHeader p : programHeaders) {
      if (p.containsInFile(vaddr, length)) {
        return in.slice(p.offset() + (vaddr - p.vaddr()), length, "segment bytes");
      }
    }
    throw in.error("address 0x" + Long.toHexString(vaddr) + " (+" + length + ") is not in any PT_LOAD segment's file bytes");
  }

  private List<ElfSymbol> readSymbols(long type) throws ElfException {
    for (ElfSection s : sections) {
      if (s.type() == type) {
        return SymbolTableReader.read(in, s, sections);
      }
    }
    return List.of();
  }

  private List<ProgramHeader> readProgramHeaders() throws ElfException {
    int count = header.programHeaderCount();
    in.check(header.programHeaderOffset(), (long) count * ElfHeader.PROGRAM_HEADER_SIZE, "program header table");
    List<ProgramHeader> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(ProgramHeader.read(in, header.programHeaderOffset() + (long) i * ElfHeader.PROGRAM_HEADER_SIZE));
    }
    return List.copyOf(out);
  }
}
