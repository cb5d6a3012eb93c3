package io.kulp.elf;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Walks the notes of a file: those of its SHT_NOTE sections, or of its PT_NOTE segments when it
 * has no section table. Each area holds entries of a 12-byte header, the name, then the
 * descriptor and the next note each starting at the area's alignment (4, or 8 for areas aligned
 * to 8 such as {@code .note.gnu.property}), counted from the start of the area. A descriptor is
 * read only when the visitor asks for it, so looking for the build-id copies nothing else.
 */
final class NoteReader {
  private static final int HEADER = 12;

  private final ElfBytes in;
  private final List<ElfSection> sections;
  private final List<ProgramHeader> segments;
  private int count;

  NoteReader(ElfBytes in, List<ElfSection> sections, List<ProgramHeader> segments) {
    this.in = in;
    this.sections = sections;
    this.segments = segments;
  }

  /** One note, its descriptor not yet read. */
  final class Note {
    private final String name;
    private final long type;
    private final long descriptorAt;
    private final long descriptorSize;
    private final String what;

    private Note(String name, long type, long descriptorAt, long descriptorSize, String what) {
      this.name = name;
      this.type = type;
      this.descriptorAt = descriptorAt;
      this.descriptorSize = descriptorSize;
      this.what = what;
    }

    boolean isBuildId() {
      return type == ElfNote.NT_GNU_BUILD_ID && ElfNote.GNU.equals(name);
    }

    long descriptorSize() {
      return descriptorSize;
    }

    /** The note with its descriptor, which may have at most {@code maxDescriptor} bytes. */
    ElfNote read(int maxDescriptor) throws ElfException {
      if (descriptorSize > maxDescriptor) {
        throw in.error(what + ": a note descriptor of " + descriptorSize + " bytes is more than the " + maxDescriptor
            + " kulp reads");
      }
      return new ElfNote(name, type, in.bytes(descriptorAt, descriptorSize, what + " note descriptor"));
    }
  }

  @FunctionalInterface
  interface Visitor {
    /** Returns true to stop the walk. */
    boolean visit(Note note) throws ElfException;
  }

  void scan(Visitor visitor) throws ElfException {
    if (!sections.isEmpty()) {
      for (ElfSection s : sections) {
        if (s.type() == ElfSection.SHT_NOTE && area(s.offset(), s.size(), s.addrAlign(), s.name(), visitor)) {
          return;
        }
      }
    } else {
      for (ProgramHeader p : segments) {
        if (p.type() == ProgramHeader.PT_NOTE && area(p.offset(), p.fileSize(), p.align(), "PT_NOTE", visitor)) {
          return;
        }
      }
    }
  }

  private boolean area(long offset, long size, long alignment, String what, Visitor visitor) throws ElfException {
    in.check(offset, size, what);
    long a = alignment == 8 ? 8 : 4;
    // Every value below is at most 2^32 + size, and size < 2^31: no sum overflows.
    for (long pos = 0; size - pos >= HEADER;) {
      if (++count > ElfLimits.MAX_NOTES) {
        throw in.tooMany("its note areas", count, ElfLimits.MAX_NOTES);
      }
      long at = offset + pos;
      long nameSize = in.u32(at, what + " n_namesz");
      long descSize = in.u32(at + 4, what + " n_descsz");
      long type = in.u32(at + 8, what + " n_type");
      long descAt = pad(pos + HEADER + nameSize, a);
      if (descAt + descSize > size) {
        throw in.error(what + ": note at +" + pos + " runs past the end of its area");
      }
      if (nameSize > ElfLimits.MAX_NOTE_NAME) {
        throw in.error(what + ": note at +" + pos + " has a name of " + nameSize + " bytes, more than the "
            + ElfLimits.MAX_NOTE_NAME + " kulp reads");
      }
      byte[] rawName = in.bytes(at + HEADER, nameSize, what + " note name");
      int nameLen = nameSize > 0 && rawName[rawName.length - 1] == 0 ? rawName.length - 1 : rawName.length;
      Note note = new Note(new String(rawName, 0, nameLen, StandardCharsets.UTF_8), type, offset + descAt, descSize, what);
      if (visitor.visit(note)) {
        return true;
      }
      pos = pad(descAt + descSize, a);
    }
    return false;
  }

  private static long pad(long v, long a) {
    return (v + a - 1) & -a;
  }
}
