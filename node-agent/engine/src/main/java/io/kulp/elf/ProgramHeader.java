package io.kulp.elf;

/** One ELF64 program header (segment). */
public record ProgramHeader(
    long type, long flags, long offset, long vaddr, long fileSize, long memSize, long align) {

  public static final long PT_LOAD = 1;
  public static final long PT_DYNAMIC = 2;
  public static final long PT_NOTE = 4;
  public static final long PT_TLS = 7;

  /**
   * True if the {@code len} bytes at virtual address {@code addr} are backed by this segment's
   * bytes in the file. Addresses and sizes are unsigned, and compared as such.
   */
  public boolean containsInFile(long addr, long len) {
    return type == PT_LOAD && len >= 0 && Long.compareUnsigned(addr, vaddr) >= 0
        && Long.compareUnsigned(len, fileSize) <= 0 && Long.compareUnsigned(addr - vaddr, fileSize - len) <= 0;
  }

  static ProgramHeader read(ElfBytes in, long at) throws ElfException {
    return new ProgramHeader(in.u32(at, "p_type"), in.u32(at + 4, "p_flags"), in.u64(at + 8, "p_offset"),
        in.u64(at + 16, "p_vaddr"), in.u64(at + 32, "p_filesz"), in.u64(at + 40, "p_memsz"),
        in.u64(at + 48, "p_align"));
  }
}
