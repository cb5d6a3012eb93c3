package io.kulp.patch;

import io.kulp.elf.BuildId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes {@link PatchMetadata} as a {@code .ulp}/{@code .ulp.rev} section: the header, then the
 * function, reference and label tables, then the string table, each starting 8-byte aligned.
 */
public final class MetadataEncoder {
  private MetadataEncoder() {}

  public static byte[] encode(PatchMetadata m) throws MetadataException {
    checkCount("functions", m.functions().size(), PatchFormat.MAX_FUNCTIONS);
    checkCount("references", m.references().size(), PatchFormat.MAX_REFERENCES);
    checkCount("labels", m.labels().size(), PatchFormat.MAX_LABELS);
    Strings strings = new Strings();
    int funcs = PatchFormat.HEADER_SIZE;
    int refs = align(funcs + m.functions().size() * PatchFormat.FUNCTION_SIZE);
    int labels = align(refs + m.references().size() * PatchFormat.REFERENCE_SIZE);
    int stringsAt = align(labels + m.labels().size() * PatchFormat.LABEL_SIZE);

    // Tables first with string references, so the string table's size is known at the end.
    ByteBuffer tables = ByteBuffer.allocate(stringsAt).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < m.functions().size(); i++) {
      FunctionPair f = m.functions().get(i);
      int at = funcs + i * PatchFormat.FUNCTION_SIZE;
      tables.putInt(at, strings.ref(f.oldName())).putInt(at + 4, strings.ref(f.newName())).putLong(at + 8, f.oldOffset())
          .putInt(at + 16, f.flags()).putInt(at + 20, f.entryCrc());
    }
    for (int i = 0; i < m.references().size(); i++) {
      PrivateReference r = m.references().get(i);
      int at = refs + i * PatchFormat.REFERENCE_SIZE;
      tables.putInt(at, strings.ref(r.targetName())).putInt(at + 4, strings.ref(r.patchName()))
          .putLong(at + 8, r.targetOffset()).putInt(at + 16, r.kind().code()).putInt(at + 20, (int) r.patchOffset());
    }
    for (int i = 0; i < m.labels().size(); i++) {
      tables.putInt(labels + i * PatchFormat.LABEL_SIZE, strings.ref(m.labels().get(i)));
    }
    int library = strings.ref(m.targetLibrary());
    byte[] table = strings.bytes();
    long total = (long) stringsAt + table.length;
    if (total > PatchFormat.MAX_SECTION_SIZE) {
      throw new MetadataException("metadata would take " + total + " bytes, more than the " + PatchFormat.MAX_SECTION_SIZE
          + " a section may have: use fewer or shorter names and labels");
    }

    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    out.put(tables.array()).put(stringsAt, table);
    out.putInt(PatchFormat.OFF_MAGIC, PatchFormat.MAGIC)
        .putShort(PatchFormat.OFF_VERSION, (short) PatchFormat.VERSION)
        .putShort(PatchFormat.OFF_KIND, (short) m.kind().code())
        .putInt(PatchFormat.OFF_SIZE, (int) total)
        .put(PatchFormat.OFF_ID, m.id().bytes())
        .putInt(PatchFormat.OFF_STRINGS, stringsAt)
        .putInt(PatchFormat.OFF_STRINGS_SIZE, table.length)
        .putInt(PatchFormat.OFF_LIBRARY, library)
        .put(PatchFormat.OFF_FLAGS, (byte) (m.consistent() ? PatchFormat.PATCH_CONSISTENT : 0));
    putBuildId(out, PatchFormat.OFF_TARGET_ID_LEN, PatchFormat.OFF_TARGET_ID, m.targetBuildId());
    putBuildId(out, PatchFormat.OFF_CONTAINER_ID_LEN, PatchFormat.OFF_CONTAINER_ID, m.containerBuildId());
    out.putInt(PatchFormat.OFF_FUNC_COUNT, m.functions().size()).putInt(PatchFormat.OFF_FUNCS, funcs)
        .putInt(PatchFormat.OFF_REF_COUNT, m.references().size()).putInt(PatchFormat.OFF_REFS, refs)
        .putInt(PatchFormat.OFF_LABEL_COUNT, m.labels().size()).putInt(PatchFormat.OFF_LABELS, labels);
    byte[] bytes = out.array();
    out.putInt(PatchFormat.OFF_CRC, (int) crc(bytes));
    return bytes;
  }

  /** CRC-32 of the section with its CRC field taken as 0. */
  static long crc(byte[] section) {
    CRC32 crc = new CRC32();
    crc.update(section, 0, PatchFormat.OFF_CRC);
    crc.update(new byte[4]);
    crc.update(section, PatchFormat.OFF_CRC + 4, section.length - PatchFormat.OFF_CRC - 4);
    return crc.getValue();
  }

  private static void putBuildId(ByteBuffer out, int lenAt, int at, BuildId id) {
    out.put(lenAt, (byte) id.length()).put(at, id.bytes());
  }

  private static void checkCount(String what, int count, int max) throws MetadataException {
    if (count > max) {
      throw new MetadataException(count + " " + what + ", more than the " + max + " one patch may have: split the patch");
    }
  }

  private static int align(int v) {
    return (v + PatchFormat.TABLE_ALIGNMENT - 1) & -PatchFormat.TABLE_ALIGNMENT;
  }

  /** The string table: each distinct string once, NUL-terminated. */
  private static final class Strings {
    private final Map<String, Integer> offsets = new LinkedHashMap<>();
    private final ByteArrayOutputStream table = new ByteArrayOutputStream();

    int ref(String s) throws MetadataException {
      Integer known = offsets.get(s);
      if (known != null) {
        return known;
      }
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > PatchFormat.MAX_STRING) {
        throw new MetadataException("string of " + utf8.length + " bytes is longer than " + PatchFormat.MAX_STRING + ": "
            + s.substring(0, 40) + "...");
      }
      if (s.indexOf('\0') >= 0) {
        throw new MetadataException("string contains a NUL character: " + s.replace('\0', '?'));
      }
      int at = table.size();
      table.writeBytes(utf8);
      table.write(0);
      offsets.put(s, at);
      return at;
    }

    byte[] bytes() {
      return table.toByteArray();
    }
  }
}
