package io.kulp.elf;

/**
 * The ELF64 file header fields kulp uses. Values are as in the file; offsets and addresses
 * are unsigned 64-bit numbers held in {@code long}.
 *
 * @param type e_type: 2 executable, 3 shared object (also PIE executables)
 * @param machine e_machine: 62 for x86-64, the only one accepted
 * @param entry e_entry
 * @param programHeaderOffset e_phoff
 * @param sectionHeaderOffset e_shoff
 * @param programHeaderCount e_phnum
 * @param sectionHeaderCount e_shnum
 * @param sectionNameIndex e_shstrndx
 */
public record ElfHeader(
    int type,
    int machine,
    long entry,
    long programHeaderOffset,
    long sectionHeaderOffset,
    int programHeaderCount,
    int sectionHeaderCount,
    int sectionNameIndex) {

  public static final int ET_EXEC = 2;
  public static final int ET_DYN = 3;
  public static final int EM_X86_64 = 62;

  static final int SIZE = 64;
  static final int PROGRAM_HEADER_SIZE = 56;
  static final int SECTION_HEADER_SIZE = 64;

  static ElfHeader read(ElfBytes in) throws ElfException {
    if (in.size() < SIZE) {
      throw in.error("file is " + in.size() + " bytes, shorter than an ELF header (64 bytes)");
    }
    if (in.u32(0, "magic") != 0x464c457fL) {
      throw in.error("no ELF magic (\\x7fELF) at the start");
    }
    if (in.u8(4, "class") != 2) {
      throw in.error("not a 64-bit ELF file (EI_CLASS " + in.u8(4, "class") + ")");
    }
    if (in.u8(5, "data") != 1) {
      throw in.error("not little endian (EI_DATA " + in.u8(5, "data") + ")");
    }
    int machine = in.u16(18, "e_machine");
    if (machine != EM_X86_64) {
      throw in.error("not an x86-64 object (e_machine " + machine + ")");
    }
    int phentsize = in.u16(54, "e_phentsize");
    int phnum = in.u16(56, "e_phnum");
    int shentsize = in.u16(58, "e_shentsize");
    int shnum = in.u16(60, "e_shnum");
    if (phnum > 0 && phentsize != PROGRAM_HEADER_SIZE) {
      throw in.error("e_phentsize is " + phentsize + ", expected " + PROGRAM_HEADER_SIZE);
    }
    if (shnum > 0 && shentsize != SECTION_HEADER_SIZE) {
      throw in.error("e_shentsize is " + shentsize + ", expected " + SECTION_HEADER_SIZE);
    }
    return new ElfHeader(in.u16(16, "e_type"), machine, in.u64(24, "e_entry"), in.u64(32, "e_phoff"),
        in.u64(40, "e_shoff"), phnum, shnum, in.u16(62, "e_shstrndx"));
  }
}
