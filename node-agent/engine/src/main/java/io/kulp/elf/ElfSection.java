package io.kulp.elf;

/**
 * One section header, with its name resolved.
 *
 * @param index position in the section header table
 * @param name from the section name string table
 * @param type sh_type (SHT_*)
 * @param flags sh_flags (SHF_*)
 * @param addr sh_addr: virtual address when allocated, else 0
 * @param offset sh_offset: where its bytes start in the file
 * @param size sh_size in bytes
 * @param link sh_link: for symbol tables and .dynamic, the index of their string table
 * @param info sh_info
 * @param addrAlign sh_addralign
 * @param entrySize sh_entsize: size of one entry for tables, else 0
 */
public record ElfSection(
    int index, String name, long type, long flags, long addr, long offset, long size, long link, long info,
    long addrAlign, long entrySize) {

  public static final long SHT_PROGBITS = 1;
  public static final long SHT_SYMTAB = 2;
  public static final long SHT_STRTAB = 3;
  public static final long SHT_RELA = 4;
  public static final long SHT_DYNAMIC = 6;
  public static final long SHT_NOTE = 7;
  public static final long SHT_NOBITS = 8;
  public static final long SHT_DYNSYM = 11;

  public static final long SHF_ALLOC = 0x2;
  public static final long SHF_EXECINSTR = 0x4;

  /** True if the section occupies bytes in the file (everything but SHT_NOBITS). */
  public boolean hasFileBytes() {
    return type != SHT_NOBITS;
  }

  public boolean isAllocated() {
    return (flags & SHF_ALLOC) != 0;
  }

  /** True for code loaded with the file: {@code .text}, {@code .plt}, {@code .init}... */
  public boolean isExecutableCode() {
    return isAllocated() && (flags & SHF_EXECINSTR) != 0 && type == SHT_PROGBITS;
  }
}
