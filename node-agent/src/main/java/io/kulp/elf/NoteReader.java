package io.kulp.elf;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes the entries of one note area: a 12-byte header, then name and descriptor each padded
 * to the area's alignment (4, or 8 for areas aligned to 8 such as {@code .note.gnu.property}).
 */
final class NoteReader {
  private NoteReader() {}

  static void read(ElfBytes in, long offset, long size, long alignment, String what, List<ElfNote> out) throws ElfException {
    in.check(offset, size, what);
    long pos = 0;
    while (size - pos >= 12) {
      long at = offset + pos;
      long nameSize = in.u32(at, what + " n_namesz");
      long descSize = in.u32(at + 4, what + " n_descsz");
      long type = in.u32(at + 8, what + " n_type");
      long nameSpan = pad(nameSize, alignment);
      long descSpan = pad(descSize, alignment);
      if (nameSpan + descSpan > size - pos - 12) {
        throw in.error(what + ": note at +" + pos + " runs past the end of its area");
      }
      byte[] rawName = in.bytes(at + 12, nameSize, what + " note name");
      int nameLen = nameSize > 0 && rawName[rawName.length - 1] == 0 ? rawName.length - 1 : rawName.length;
      String name = new String(rawName, 0, nameLen, StandardCharsets.UTF_8);
      out.add(new ElfNote(name, type, in.bytes(at + 12 + nameSpan, descSize, what + " note descriptor")));
      pos += 12 + nameSpan + descSpan;
    }
  }

  private static long pad(long v, long alignment) {
    long a = alignment == 8 ? 8 : 4;
    return (v + a - 1) & -a;
  }
}
