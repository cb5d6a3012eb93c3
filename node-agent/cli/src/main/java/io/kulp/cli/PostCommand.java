package io.kulp.cli;

import io.kulp.elf.ElfFile;
import io.kulp.elf.PatchablePadding;
import io.kulp.elf.ProgramHeader;
import io.kulp.patch.AtomicFile;
import io.kulp.patch.PatchException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ulp post LIB}, libpulp's post-processing: the two one-byte NOPs at each padded function's
 * entry become the one two-byte NOP {@code 66 90}. kulp's runtime makes the same change in memory
 * before it first patches a function, and must then prove that no thread sits between the two
 * NOPs (docs/design.md, "The two NOPs"); a library posted ahead of time skips that step. kulp
 * patches a library either way. Unlike libpulp, which rewrites the file in place, the file is
 * replaced whole, so processes that map it keep the bytes they loaded.
 */
@Command(name = "post", description = {"Merge the two NOPs at each padded function entry of LIB into one 2-byte NOP,"
    + " as libpulp's `ulp post` does.", "Optional for kulp: it saves the runtime a check before the first patch of"
    + " each function."})
final class PostCommand extends UlpSubcommand {
  private static final byte NOP = (byte) 0x90;
  private static final byte OPERAND_SIZE_PREFIX = 0x66;
  private static final int ENDBR64_LENGTH = 4;

  @Parameters(paramLabel = "LIB", description = "A library (or executable) built with -fpatchable-function-entry=16,14.")
  private Path library;

  @Override
  public Integer call() throws Exception {
    List<Long> offsets = new ArrayList<>();
    int entries;
    try (ElfFile elf = ElfFile.open(library)) {
      if (elf.section(ElfFile.PATCHABLE_ENTRIES).isEmpty()) {
        throw new PatchException(library + " has no " + ElfFile.PATCHABLE_ENTRIES
            + " section: build it with -fpatchable-function-entry=16,14");
      }
      long[] starts = elf.patchableEntries();
      entries = starts.length;
      for (long start : starts) {
        PatchablePadding shape = PatchablePadding.at(elf, start);
        if (!shape.isUsable()) {
          continue;
        }
        long entry = PatchablePadding.entryOf(start) + (shape == PatchablePadding.KULP_ENDBR ? ENDBR64_LENGTH : 0);
        ByteBuffer b = elf.readVirtual(entry, 2);
        if (b.get(0) == NOP && b.get(1) == NOP) {
          offsets.add(fileOffset(elf, entry));
        }
      }
    }
    if (!offsets.isEmpty()) {
      byte[] bytes = Files.readAllBytes(library);
      for (long at : offsets) {
        bytes[(int) at] = OPERAND_SIZE_PREFIX;
      }
      // A link (libfoo.so.1 -> libfoo.so.1.2.3) stays one; the new file keeps the old one's mode.
      Path real = library.toRealPath();
      Path tmp = AtomicFile.temporaryFor(real, ".post");
      try {
        Files.write(tmp, bytes);
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(real));
        AtomicFile.replace(tmp, real);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    if (verbosity().verbose()) {
      out().println(library + ": merged the entry NOPs of " + offsets.size() + " of " + entries
          + " padded functions");
    }
    return 0;
  }

  private static long fileOffset(ElfFile elf, long vaddr) throws PatchException {
    for (ProgramHeader p : elf.programHeaders()) {
      if (p.type() == ProgramHeader.PT_LOAD && p.containsInFile(vaddr, 2)) {
        return p.offset() + (vaddr - p.vaddr());
      }
    }
    throw new PatchException("the function entry at 0x" + Long.toHexString(vaddr)
        + " is not in any loadable segment's bytes");
  }
}
