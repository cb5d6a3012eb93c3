package io.kulp.elf;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes the entries of one note area: a 12-byte header, the name, then the descriptor and
 * the next note each starting at the area's alignment (4, or 8 for areas aligned to 8 such as
 * {@code .note.gnu.property}), counted from the start of the area.
 */
final class NoteReader {
  private static final int HEADER = 12;

  private NoteReader() {}

  static void read(ElfBytes in, long offset, long size, long alignment, String what, List<ElfNote> out) throws ElfException {
    in.check(offset, size, what);
    long a = alignment == 8 ? 8 : 4;
    long pos = 0;
    while (size - pos >= HEADER) {
      long at = offset + pos;
      long nameSize = in.u32(at, what + " n_namesz");
      long descSize = in.u32(at + 4, what + " n_descsz");
      long type = in.u32(at + 8, what + " n_type");
      long descAt = pad(pos + HEADER + nameSize, a);
      long next = pad(descAt + descSize, a);
      if (descAt + descSize > size) {
        throw in.error(what + ": note at +" + pos + " runs past the end of its area");
      }
      byte[] rawName = in.bytes(at + HEADER, nameSize, what + " note name");
      int nameLen = nameSize > 0 && rawName[rawName.length - 1] == 0 ? rawName.length - 1 : rawName.length;
      String name = new String(rawName, 0, nameLen, StandardCharsets.UTF_8);
      out.add(new ElfNote(name, type, in.bytes(offset + descAt, descSize, what + " note descriptor")));
      pos = next;
    }
  }

  private static long pad(long v, long a) {
    return (v + a - 1) & -a;
  }
}
