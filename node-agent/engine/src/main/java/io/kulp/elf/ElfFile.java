package io.kulp.elf;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of an ELF64 little-endian x86-64 file: headers, sections, symbols, notes,
 * SONAME and the live-patch padding table. {@link #open} reads only what is asked for: headers at
 * once, tables on first use, single dynamic symbols through the file's hash table.
 *
 * <p>Every offset read from the file is bounds-checked and every count and length capped ({@link
 * ElfLimits}): a truncated, corrupt or hostile file yields an {@link ElfException} that names the
 * problem, never another exception, and never more work or memory than those limits allow.
 * Instances are safe to share between threads.
 */
public final class ElfFile implements Closeable {
  public static final String SYMTAB = ".symtab";
  public static final String DYNSYM = ".dynsym";
  public static final String PATCHABLE_ENTRIES = "__patchable_function_entries";

  private final ElfBytes in;
  private final ElfHeader header;
  private final List<ProgramHeader> programHeaders;
  private final List<ElfSection> sections;
  private volatile List<ElfSymbol> symbols;
  private volatile List<ElfSymbol> dynamicSymbols;
  /** The program header {@link #fileOffset} found last (a hint only: any value is safe). */
  private volatile int lastSegment;

  private ElfFile(ElfBytes in) throws ElfException {
    this.in = in;
    this.header = ElfHeader.read(in);
    this.programHeaders = readProgramHeaders();
    this.sections = SectionTableReader.read(in, header);
  }

  /**
   * Opens and parses the file at {@code path}, which may be a {@code /proc/PID/map_files/...}
   * or {@code /proc/PID/root/...} path of another process. Only the headers are read now; the
   * rest when asked for, so the file stays open until {@link #close()}.
   */
  public static ElfFile open(Path path) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    if (attributes.isDirectory()) {
      throw new ElfException(path + ": is a directory, not an ELF file");
    }
    if (!attributes.isRegularFile()) {
      // A FIFO would block the open, a device could be endless.
      throw new ElfException(path + ": is not a regular file, so not an ELF file");
    }
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size > ElfLimits.MAX_FILE_SIZE) {
        throw new ElfException(path + ": " + size + " bytes is too large for kulp's ELF reader (2 GiB at most)");
      }
      return new ElfFile(ElfBytes.of(ch, size, path.toString()));
    } catch (IOException | RuntimeException | Error e) {
      ch.close();
      throw e;
    }
  }

  /**
   * Parses a file already open as {@code ch} ({@code size} bytes, for example one checked through
   * its descriptor first); {@code source} names it in error messages. The channel is closed with
   * the returned file.
   */
  public static ElfFile open(FileChannel ch, long size, String source) throws ElfException {
    if (size > ElfLimits.MAX_FILE_SIZE) {
      throw new ElfException(source + ": " + size + " bytes is too large for kulp's ELF reader (2 GiB at most)");
    }
    return new ElfFile(ElfBytes.of(ch, size, source));
  }

  /** Parses an image already in memory; {@code source} names it in error messages. */
  public static ElfFile parse(ByteBuffer image, String source) throws ElfException {
    return new ElfFile(ElfBytes.of(image, source));
  }

  /** Closes the file; reading a closed file fails with an {@link ElfException}. */
  @Override
  public void close() throws IOException {
    in.close();
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

  /** A copy of the bytes of {@code section} (16 MiB at most; none for SHT_NOBITS). */
  public byte[] bytes(ElfSection section) throws ElfException {
    return in.bytes(section.offset(), section.hasFileBytes() ? section.size() : 0, section.name());
  }

  /** The bytes of the section with this name, if there is one (16 MiB at most). */
  public Optional<byte[]> sectionBytes(String name) throws ElfException {
    return sectionBytes(name, ElfLimits.MAX_COPY);
  }

  /** The bytes of the section with this name, if there is one; more than {@code maxLength} is an error. */
  public Optional<byte[]> sectionBytes(String name, int maxLength) throws ElfException {
    Optional<ElfSection> s = section(name);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    long size = s.get().hasFileBytes() ? s.get().size() : 0;
    if (Long.compareUnsigned(size, maxLength) > 0) {
      throw in.error("section " + name + " is " + Long.toUnsignedString(size) + " bytes, more than the " + maxLength
          + " it may have");
    }
    return Optional.of(in.bytes(s.get().offset(), size, name));
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

  /**
   * The defined dynamic symbol with this name, e.g. {@code kulp_abi} in libpulp.so, looked up as
   * the dynamic loader does: through DT_GNU_HASH or DT_HASH, reading a few entries rather than
   * the whole table; a file with neither is searched entry by entry, without keeping any.
   */
  public Optional<ElfSymbol> dynamicSymbol(String name) throws ElfException {
    return SymbolLookup.find(this, in, name);
  }

  /** Notes from SHT_NOTE sections, or from PT_NOTE segments when there is no section table. */
  public List<ElfNote> notes() throws ElfException {
    List<ElfNote> out = new ArrayList<>();
    new NoteReader(in, sections, programHeaders).scan(n -> {
      out.add(n.read(ElfLimits.MAX_NOTE_DESCRIPTOR));
      return false;
    });
    return out;
  }

  /**
   * The GNU build-id, if the file has an NT_GNU_BUILD_ID note of 1 to 64 bytes; no other note's
   * descriptor is read.
   */
  public Optional<BuildId> buildId() throws ElfException {
    ElfNote[] found = new ElfNote[1];
    new NoteReader(in, sections, programHeaders).scan(n -> {
      if (n.isBuildId() && n.descriptorSize() >= 1 && n.descriptorSize() <= BuildId.MAX_LENGTH) {
        found[0] = n.read(BuildId.MAX_LENGTH);
        return true;
      }
      return false;
    });
    return Optional.ofNullable(found[0]).map(n -> BuildId.of(n.descriptor()));
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
    return in.slice(fileOffset(vaddr, length, "segment bytes"), length, "segment bytes");
  }

  /** Where the {@code length} bytes at virtual address {@code vaddr} are in the file (a PT_LOAD segment's bytes). */
  long fileOffset(long vaddr, long length, String what) throws ElfException {
    // Lookups walk addresses in order, so the segment of the last one is tried first.
    int last = lastSegment;
    if (last < programHeaders.size() && programHeaders.get(last).containsInFile(vaddr, length)) {
      return in.entry(programHeaders.get(last).offset(), vaddr - programHeaders.get(last).vaddr(), 1, what);
    }
    for (int i = 0; i < programHeaders.size(); i++) {
      ProgramHeader p = programHeaders.get(i);
      if (p.containsInFile(vaddr, length)) {
        lastSegment = i;
        return in.entry(p.offset(), vaddr - p.vaddr(), 1, what);
      }
    }
    throw in.error(what + " at address 0x" + Long.toHexString(vaddr) + " (+" + length
        + ") is not in any PT_LOAD segment's file bytes");
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
    if (count > ElfLimits.MAX_SEGMENTS) {
      throw in.tooMany("e_phnum (program headers)", count, ElfLimits.MAX_SEGMENTS);
    }
    in.check(header.programHeaderOffset(), (long) count * ElfHeader.PROGRAM_HEADER_SIZE, "program header table");
    List<ProgramHeader> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(ProgramHeader.read(in, header.programHeaderOffset() + (long) i * ElfHeader.PROGRAM_HEADER_SIZE));
    }
    return List.copyOf(out);
  }
}
