package io.kulp.elf;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Finds one defined dynamic symbol by name as the dynamic loader does: through the GNU hash
 * table (DT_GNU_HASH) or the System V one (DT_HASH), which lead to the few entries that may
 * have the name, so a file's symbol count costs nothing. Without either table, {@code .dynsym}
 * is searched entry by entry, keeping none. Chains are bounded: a table that loops or runs on
 * is an {@link ElfException}.
 */
final class SymbolLookup {
  private static final String WHAT = "dynamic symbol table";

  private final ElfFile elf;
  private final ElfBytes in;
  private final byte[] name;
  private final long symtab;
  private final long strtab;
  private final long strsz;

  private SymbolLookup(ElfFile elf, ElfBytes in, byte[] name, long symtab, long strtab, long strsz) {
    this.elf = elf;
    this.in = in;
    this.name = name;
    this.symtab = symtab;
    this.strtab = strtab;
    this.strsz = strsz;
  }

  static Optional<ElfSymbol> find(ElfFile elf, ElfBytes in, String symbol) throws ElfException {
    byte[] name = symbol.getBytes(StandardCharsets.UTF_8);
    Map<Long, Long> d = DynamicReader.tags(in, elf.sections(), elf.programHeaders(), DynamicReader.DT_GNU_HASH,
        DynamicReader.DT_HASH, DynamicReader.DT_SYMTAB, DynamicReader.DT_STRTAB, DynamicReader.DT_STRSZ,
        DynamicReader.DT_SYMENT);
    Long gnu = d.get(DynamicReader.DT_GNU_HASH);
    Long sysv = d.get(DynamicReader.DT_HASH);
    Long symtab = d.get(DynamicReader.DT_SYMTAB);
    Long strtab = d.get(DynamicReader.DT_STRTAB);
    Long strsz = d.get(DynamicReader.DT_STRSZ);
    if ((gnu == null && sysv == null) || symtab == null || strtab == null || strsz == null) {
      return scan(elf, in, name);
    }
    Long syment = d.get(DynamicReader.DT_SYMENT);
    if (syment != null && syment != ElfSymbol.ENTRY_SIZE) {
      throw in.error("DT_SYMENT is " + Long.toUnsignedString(syment) + ", expected " + ElfSymbol.ENTRY_SIZE);
    }
    long strings = elf.fileOffset(strtab, strsz, "DT_STRTAB");
    SymbolLookup lookup = new SymbolLookup(elf, in, name, symtab, strings, strsz);
    return Optional.ofNullable(gnu != null ? lookup.gnu(gnu) : lookup.sysv(sysv));
  }

  /** Without hash tables: the SHT_DYNSYM section, entry by entry. */
  private static Optional<ElfSymbol> scan(ElfFile elf, ElfBytes in, byte[] name) throws ElfException {
    for (ElfSection s : elf.sections()) {
      if (s.type() == ElfSection.SHT_DYNSYM) {
        return Optional.ofNullable(SymbolTableReader.find(in, s, elf.sections(), name));
      }
    }
    return Optional.empty();
  }

  /** The GNU table: buckets hold the first index of a run of symbols ordered by bucket, hashes end a run with bit 0 set. */
  private ElfSymbol gnu(long table) throws ElfException {
    long nbuckets = u32(table, 0, "DT_GNU_HASH nbuckets");
    long symoffset = u32(table, 4, "DT_GNU_HASH symoffset");
    long bloomSize = u32(table, 8, "DT_GNU_HASH bloom size");
    if (nbuckets == 0) {
      throw in.error("DT_GNU_HASH has no buckets");
    }
    long buckets = add(table, 16 + bloomSize * 8, "DT_GNU_HASH buckets");
    long chains = add(buckets, nbuckets * 4, "DT_GNU_HASH chains");
    long hash = gnuHash(name);
    long index = u32(buckets, (hash % nbuckets) * 4, "DT_GNU_HASH bucket");
    if (index == 0) {
      return null;
    }
    if (index < symoffset) {
      throw in.error("DT_GNU_HASH bucket points to symbol " + index + ", below its symoffset " + symoffset);
    }
    for (long steps = 0;; steps++, index++) {
      if (steps >= ElfLimits.MAX_SYMBOLS) {
        throw in.error("a DT_GNU_HASH chain runs on past " + ElfLimits.MAX_SYMBOLS + " symbols without an end");
      }
      long h = u32(chains, (index - symoffset) * 4, "DT_GNU_HASH chain");
      if ((h | 1) == (hash | 1)) {
        ElfSymbol s = matching(index);
        if (s != null) {
          return s;
        }
      }
      if ((h & 1) != 0) {
        return null;
      }
    }
  }

  /** The System V table: nbucket, nchain, the buckets, then one chain link per symbol. */
  private ElfSymbol sysv(long table) throws ElfException {
    long nbucket = u32(table, 0, "DT_HASH nbucket");
    long nchain = u32(table, 4, "DT_HASH nchain");
    if (nbucket == 0) {
      throw in.error("DT_HASH has no buckets");
    }
    long chains = add(table, 8 + nbucket * 4, "DT_HASH chains");
    long index = u32(table, 8 + (sysvHash(name) % nbucket) * 4, "DT_HASH bucket");
    for (long steps = 0; index != 0; steps++) {
      if (index >= nchain) {
        throw in.error("DT_HASH links to symbol " + index + ", not below its nchain " + nchain);
      }
      if (steps >= Math.min(nchain, ElfLimits.MAX_SYMBOLS)) {
        throw in.error("a DT_HASH chain is longer than its " + nchain + " symbols: it loops");
      }
      ElfSymbol s = matching(index);
      if (s != null) {
        return s;
      }
      index = u32(chains, index * 4, "DT_HASH chain");
    }
    return null;
  }

  /** Symbol {@code index} if it is defined and has the name looked for, else null. */
  private ElfSymbol matching(long index) throws ElfException {
    long at = elf.fileOffset(add(symtab, index * ElfSymbol.ENTRY_SIZE, WHAT), ElfSymbol.ENTRY_SIZE, WHAT);
    if (in.u16(at + 6, "st_shndx") == ElfSymbol.SHN_UNDEF
        || !in.cstringEquals(strtab, strsz, in.u32(at, "st_name"), name, WHAT)) {
      return null;
    }
    return SymbolTableReader.decode(in, at, strtab, strsz, WHAT);
  }

  /** The 32-bit word at virtual address {@code table + rel}, through the segment holding it. */
  private long u32(long table, long rel, String what) throws ElfException {
    return in.u32(elf.fileOffset(add(table, rel, what), 4, what), what);
  }

  /** {@code vaddr + rel} for an unsigned address and a non-negative offset below 2^40; past 2^64 is an error. */
  private long add(long vaddr, long rel, String what) throws ElfException {
    long sum = vaddr + rel;
    if (Long.compareUnsigned(sum, vaddr) < 0) {
      throw in.error(what + " lies past the end of the address space");
    }
    return sum;
  }

  static long gnuHash(byte[] name) {
    long h = 5381;
    for (byte b : name) {
      h = (h * 33 + (b & 0xff)) & 0xffff_ffffL;
    }
    return h;
  }

  static long sysvHash(byte[] name) {
    long h = 0;
    for (byte b : name) {
      h = ((h << 4) + (b & 0xff)) & 0xffff_ffffL;
      long g = h & 0xf000_0000L;
      if (g != 0) {
        h ^= g >>> 24;
      }
      h &= ~g;
    }
    return h;
  }
}
